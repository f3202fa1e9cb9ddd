"""Pages of the incidents app: the shelters part (included by urls.py)."""

urlpatterns: list = []
