"""What every layer needs and that is not mathematics: parameter checks (``params``), the
whitelist formula parser (``formula``), the content-addressed cache (``cache``)."""
