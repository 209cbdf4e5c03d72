"""One ``router`` per resource, all mounted under ``sync.protocol.API_PREFIX``."""
