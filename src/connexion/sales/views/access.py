"""Who may open the sales pages: the deals area, and the pipeline and product
settings."""

from __future__ import annotations

from connexion.accounts.permissions import require_permission

deals_access = require_permission("accounts.access_deals")
pipelines_access = require_permission("sales.manage_pipelines")
