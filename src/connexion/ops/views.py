from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from connexion.ops.models import WorkerHeartbeat


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        heartbeat = WorkerHeartbeat.objects.order_by("-last_seen_at").first()
    except Exception as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "database_vendor": connection.vendor,
            "worker_last_seen": heartbeat.last_seen_at.isoformat() if heartbeat else None,
        }
    )
