"""Controllers, one per concern (models, queue, comparison, saving, settings), composed by MainController."""

from desktop.controllers.main import MainController

__all__ = ["MainController"]
