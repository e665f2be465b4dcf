"""What the app tells its users about its own state: semantic search off while the dense index is behind.

Why: after a crash between the SQLite commit and the dense-index swap the searcher refuses the stale index (right)
and semantic search returned nothing for every query with the reason only on the server's stderr.  Users now see a
notice on search results and answers until the start-up reconciliation (or the next build) has caught up.
"""

from __future__ import annotations

from .service import Service

SEMANTIC_DEGRADED = (
    "⚠️ 语义检索暂时不可用（索引正在更新），结果仅来自关键词检索 / semantic search is temporarily "
    "unavailable (its index is being updated): results come from keyword search only"
)


def semantic_degraded(service: Service) -> bool:
    return service.answerer().searcher.dense is None
