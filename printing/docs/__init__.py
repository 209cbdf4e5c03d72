"""One module per document; each exposes ``render(...) -> RenderedDocument``."""
