"""The board's screens: the kanban, record views, lists, tasks, forms and help."""
