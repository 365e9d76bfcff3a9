"""Keys the tests sign with (test keys, never used anywhere else)."""

#: The transparency log's signer in tests that need a fixed one (production requires one).
LOG_SIGNING_KEY = (
    "PRIVATE+KEY+complaints.test+eac07853+Ablb5d03LT+gBim0+lwa2VOeFWWEFWjUvvK4sYZUu0QR"
)
