"""Golden values for @quant/evaluation's metrics, computed by Qlib itself (pyqlib 0.9.7).

Run: python3 -m venv .cache/venv && .cache/venv/bin/pip install pyqlib
     .cache/venv/bin/python bench/reference/qlib_metrics.py > libs/evaluation/test/golden/qlib-metrics.json

Inputs are seeded random data (with NaN labels, tied scores and a constant-label day); outputs are
Qlib's calc_ic + SigAnaRecord formulas and risk_analysis (mode sum, freq day), plus sklearn-free
scipy references for AUC and the binomial test.
"""
import json
import warnings

import numpy as np
import pandas as pd
from scipy import stats

warnings.filterwarnings("ignore")
from qlib.contrib.eva.alpha import calc_ic  # noqa: E402
from qlib.contrib.evaluate import risk_analysis  # noqa: E402

rng = np.random.default_rng(20240301)
dates = pd.bdate_range("2020-01-02", periods=12).strftime("%Y-%m-%d")
codes = [f"SH{600000 + i}" for i in range(25)]
rows = []
for d_i, d in enumerate(dates):
    for c in codes:
        score = float(np.round(rng.normal(), 1))  # rounding makes ties
        label = float(0.3 * score + rng.normal())
        if rng.random() < 0.1:
            label = float("nan")
        if d_i == 5:
            label = 0.5  # constant label: no IC that day
        rows.append({"date": d, "code": c, "score": score, "label": label})
df = pd.DataFrame(rows).set_index(["date", "code"])
ic, ric = calc_ic(df["score"], df["label"], date_col="date")
signal = {
    "ic": ic.mean(),
    "icir": ic.mean() / ic.std(),
    "rank_ic": ric.mean(),
    "rank_icir": ric.mean() / ric.std(),
    "daily_ic": [None if np.isnan(x) else x for x in ic.tolist()],
}

returns = np.round(rng.normal(0.0005, 0.01, 80), 6)
risk = risk_analysis(pd.Series(returns), freq="day")["risk"].to_dict()

scores = np.round(rng.normal(size=60), 1)
actual = (scores + rng.normal(size=60)) > 0
pos = stats.rankdata(scores)[actual].sum()
n_pos = int(actual.sum())
auc = (pos - n_pos * (n_pos + 1) / 2) / (n_pos * (len(actual) - n_pos))
correct = int(((scores > 0) == actual).sum())

out = {
    "signal_rows": [{**r, "label": None if np.isnan(r["label"]) else r["label"]} for r in rows],
    "signal": signal,
    "returns": returns.tolist(),
    "risk": risk,
    "classification": {
        "scores": scores.tolist(),
        "actual": actual.tolist(),
        "auc": auc,
        "accuracy": correct / len(actual),
        "p_value": stats.binomtest(correct, len(actual)).pvalue,
    },
}
print(json.dumps(out, indent=1))
