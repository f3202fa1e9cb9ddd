"""Pages of the incidents app: the sitreps part (included by urls.py)."""

urlpatterns: list = []
