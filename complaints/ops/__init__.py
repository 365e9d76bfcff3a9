"""Operations: the `complaints` command and what it runs (serve, worker, rebuild, status, audit,
report, subscribe, listen). The long-running workers it starts live in `complaints.workers`.
"""
