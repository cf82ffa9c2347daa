"""Browser-test helpers: the sample site on a local server, Chromium, axe-core, hostile input."""
