"""Reports the platform fills from the analytic store (报表), e.g. the institution self-check form."""
