"""Pages of the incidents app: the board part (included by urls.py)."""

urlpatterns: list = []
