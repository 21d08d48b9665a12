"""Redis storage: key names (keys.py), the connection, and one repository per noun."""
