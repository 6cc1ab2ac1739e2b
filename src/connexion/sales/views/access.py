"""Who may open the sales pages: the deals area, and the pipeline and product
settings."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required

deals_access = permission_required("accounts.access_deals", raise_exception=True)
pipelines_access = permission_required("sales.manage_pipelines", raise_exception=True)
