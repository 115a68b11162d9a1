#!/usr/bin/env python3
"""Would extraction do better by learning from a team's reviewed incidents? A study, not a test.

The fourth held-out set (crates/import/tests/data/extraction-holdout4-export) holds two
incidents of one team, weeks apart. This trains a bag-of-words logistic regression (plus
whether the rules proposed the message, bot, thread reply, reactions, pinned) on the labelled
development sets, with and without the team's first incident, and scores it on the team's
second. It prints aggregate figures only: the held-out messages stay unread.

    pip install scikit-learn
    EXTRACTION_DUMP=/tmp/dump.tsv cargo test -p hindsight-import --test extraction -- --test-threads 1
    python3 crates/bench/extraction-team-learning.py /tmp/dump.tsv

The threshold of "recall at precision >= 0.8" is chosen on the scored channel itself (an
oracle): it bounds what a learned ranking could do, it is not a figure a user would see.
"""
import glob
import json
import os
import re
import sys

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

DATA = os.path.join(os.path.dirname(__file__), "..", "import", "tests", "data")
SETS = [
    ("extraction-export", "extraction-labels.json"),
    ("extraction-holdout-export", "extraction-holdout-labels.json"),
    ("extraction-holdout2-export", "extraction-holdout2-labels.json"),
    ("extraction-holdout3-export", "extraction-holdout3-labels.json"),
    ("extraction-holdout4-export", "extraction-holdout4-labels.json"),
]
TEAM_FIRST, TEAM_SECOND = "inc-2026-09-15-hormigas-qro", "inc-2026-10-27-guias-veloz"


def text_of(m):
    parts = [m.get("text") or ""]
    for a in m.get("attachments") or []:
        parts += [a[k] for k in ("pretext", "title", "text", "fallback") if a.get(k)]
        parts += [f"{f.get('title', '')}: {f.get('value', '')}" for f in a.get("fields") or []]
    if not (m.get("text") or "").strip():
        for b in m.get("blocks") or []:
            t = b.get("text")
            if isinstance(t, dict):
                parts.append(t.get("text", ""))
            for f in b.get("fields") or []:
                if isinstance(f, dict):
                    parts.append(f.get("text", ""))
    return "\n".join(parts)


def load(export, labels):
    labels = json.load(open(os.path.join(DATA, labels)))
    users = {u["id"]: u for u in json.load(open(os.path.join(DATA, export, "users.json")))}
    rows = []
    for channel, label in labels["channels"].items():
        key = {e["ts"] for e in label["key_events"]}
        for day in sorted(glob.glob(os.path.join(DATA, export, channel, "*.json"))):
            for m in json.load(open(day)):
                if m.get("subtype") in ("channel_join", "channel_leave", "pinned_item", "tombstone"):
                    continue
                user = users.get(m.get("user"), {})
                rows.append(dict(
                    set=export, channel=channel, ts=m["ts"], text=text_of(m),
                    bot=bool(m.get("bot_id")) or m.get("subtype") == "bot_message" or user.get("is_bot", False),
                    reply="thread_ts" in m and m["thread_ts"] != m["ts"],
                    reactions=sum(r.get("count", 0) for r in m.get("reactions") or []),
                    pinned=bool(m.get("pinned_to")), key=m["ts"] in key))
    return rows


def normalise(t):
    t = t.lower()
    t = re.sub(r"<https?://[^>|]*(\|[^>]*)?>", " URL ", t)
    t = re.sub(r"https?://\S+", " URL ", t)
    t = re.sub(r"<@[^>]+>", " MENTION ", t)
    return re.sub(r"\d+", " 0 ", t)


def main(dump):
    proposed = set()
    for line in open(dump):
        export, channel, ts, what, _ = line.rstrip("\n").split("\t")
        if what == "event":
            proposed.add((channel, ts))
    rows = [r for s in SETS for r in load(*s)]
    dev = [r for r in rows if r["set"] != "extraction-holdout4-export"]
    first = [r for r in rows if r["channel"] == TEAM_FIRST]
    second = [r for r in rows if r["channel"] == TEAM_SECOND]

    def features(rs, vec, fit=False):
        words = (vec.fit_transform if fit else vec.transform)([r["text"] for r in rs])
        other = np.array([[r["bot"], r["reply"], min(r["reactions"], 5) / 5, r["pinned"],
                           (r["channel"], r["ts"]) in proposed] for r in rs], dtype=float)
        return hstack([words, csr_matrix(other * 3)]).tocsr()

    truth = np.array([r["key"] for r in second])
    rules = np.array([(r["channel"], r["ts"]) in proposed for r in second])
    found = (rules & truth).sum()
    print(f"team's second incident, the rules: precision {found / max(1, rules.sum()):.2f} "
          f"recall {found / truth.sum():.2f} ({found} of {truth.sum()}, {rules.sum()} proposed)")

    def score(name, train, weights):
        vec = CountVectorizer(preprocessor=normalise, ngram_range=(1, 2), binary=True)
        model = LogisticRegression(C=1, max_iter=3000, class_weight="balanced")
        model.fit(features(train, vec, True), [r["key"] for r in train], sample_weight=weights)
        p = model.predict_proba(features(second, vec))[:, 1]
        order = np.argsort(-p)
        hits = np.cumsum(truth[order])
        precision, recall = hits / np.arange(1, len(p) + 1), hits / truth.sum()
        best = max([(recall[i], precision[i]) for i in range(len(p)) if precision[i] >= 0.8] or [(0, 0)])
        at = p > 0.5
        print(f"{name}: recall {best[0]:.2f} at precision {best[1]:.2f} (oracle threshold); "
              f"at p > 0.5 precision {(at & truth).sum() / max(1, at.sum()):.2f} "
              f"recall {(at & truth).sum() / truth.sum():.2f}")

    score("learned from the development sets", dev, np.ones(len(dev)))
    score("... and the team's first incident", dev + first, np.ones(len(dev) + len(first)))
    score("... and the team's first incident, weighted x5", dev + first,
          np.r_[np.ones(len(dev)), 5 * np.ones(len(first))])
    score("learned from the team's first incident alone", first, np.ones(len(first)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dump.tsv")
