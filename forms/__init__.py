"""What an application is: the service-item catalog, forms, validators, deadlines.

Pure logic and data files: no UI, no database, no network.
"""
