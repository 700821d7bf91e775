"""tinycrm's full-screen board, built on Textual. ``tinycrm.tui.app.make_app`` is the entry."""
