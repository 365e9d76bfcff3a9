"""Operations: the `complaints` command and what it runs (serve, worker, rebuild, audit, report,
deadlines, subscribe).
"""
