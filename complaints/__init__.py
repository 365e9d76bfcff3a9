"""complaints: event-sourced complaint and dispute resolution for online marketplaces."""

__version__ = "0.1.0"
