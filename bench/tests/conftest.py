"""The product's test fixtures that every test relies on without asking (background tasks in
memory, a temporary media folder, the fast password hasher): ``src/opencity/conftest.py`` only
reaches tests under ``src/opencity``, and the load generator lives outside the package."""

from opencity.conftest import _huey_immediate, _media_root  # noqa: F401
