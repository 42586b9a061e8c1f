"""Organisation and access (组织与权限): regions, users, passwords, sessions, jurisdiction, roles."""
