"""Text similarity of proposals that works for Chinese: character bigrams (Chinese has no spaces between
words, and two characters are the commonest word length), plus whole Latin words and numbers.

Each project stores its tokens (Project.tokens, a GIN-indexed array). Similar proposals are found in one query:
the index finds the projects sharing any token, and the Jaccard overlap |A ∩ B| / |A ∪ B| ranks them.
"""

import re
import unicodedata

from django.db import connection

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]{2,}")
# Bigrams that say nothing about the topic of a Chinese proposal.
STOP = {"提升", "提高", "降低", "优化", "研究", "项目", "课题", "管理", "改善", "精益", "通过", "进行", "实现", "问题"}
THRESHOLD = 0.2


def tokens(*texts: str) -> list[str]:
    text = unicodedata.normalize("NFKC", " ".join(t for t in texts if t)).lower()
    found = set(WORD.findall(text))
    for run in CJK.findall(text):
        if len(run) == 1:
            found.add(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(found - STOP)


def jaccard(a, b) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a and b else 0.0


_SQL = """
SELECT p.id, cardinality(ARRAY(SELECT unnest(p.tokens) INTERSECT SELECT unnest(%(tokens)s::varchar[])))::float
       / NULLIF(cardinality(ARRAY(SELECT unnest(p.tokens) UNION SELECT unnest(%(tokens)s::varchar[]))), 0) AS score
FROM projects_project p
WHERE p.tokens && %(tokens)s::varchar[] AND p.id <> %(exclude)s AND p.state = ANY(%(states)s) AND p.year = %(year)s
ORDER BY score DESC, p.id
LIMIT %(limit)s
"""


def similar_ids(*, project, states, limit: int = 5, threshold: float = THRESHOLD) -> list[tuple[int, float]]:
    """(project id, score) of the proposals of the same year most like `project`, best first (one query)."""
    if not project.tokens:
        return []
    params = {
        "tokens": project.tokens,
        "exclude": project.pk or 0,
        "states": list(states),
        "year": project.year,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return [(pk, score) for pk, score in cursor.fetchall() if score is not None and score >= threshold]
