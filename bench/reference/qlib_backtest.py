"""Qlib's own TopK-Dropout backtest on ../shared/data/cn/qlib, for comparison with @quant/evaluation's
runBacktest (bench/reference/qlib_backtest.compare.ts).

Run: .cache/venv/bin/python bench/reference/qlib_backtest.py OUT.json [QLIB_DIR]   (pyqlib 0.9.7, see qlib_metrics.py)
Qlib opens features/<lower-case code>: where the data has upper-case folders, pass a folder of lower-case
symlinks to them (calendars, instruments and features/<code lower-cased> -> ../shared/data/cn/qlib/...).

Signal: a 20-day reversal score, close 20 sessions earlier / close - 1, on the CSI300 members of each
day (no model: the point is the backtest, not the signal). Qlib's CSI300 benchmark settings: topk 50,
n_drop 5, deal price close, open_cost 0.0005, close_cost 0.0015, min_cost 5, a 9.5% close-to-close limit,
account 1e8, benchmark SH000300. The output holds Qlib's daily report and the raw bars the engine needs.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import qlib  # noqa: E402
from qlib.data import D  # noqa: E402
from qlib.contrib.evaluate import backtest_daily, risk_analysis  # noqa: E402
from qlib.contrib.strategy import TopkDropoutStrategy  # noqa: E402

START, END = "2019-01-02", "2019-12-31"
qlib.init(provider_uri=sys.argv[2] if len(sys.argv) > 2 else "../shared/data/cn/qlib", region="cn", kernels=1)
inst = D.instruments("csi300")
feat = D.features(inst, ["$open", "$high", "$low", "$close", "$volume", "$factor", "Ref($close,20)/$close-1"], start_time="2018-11-01", end_time=END)
feat.columns = ["open", "high", "low", "close", "volume", "factor", "score"]
pred = feat["score"].dropna()
pred = pred[pred.index.get_level_values("datetime") >= pd.Timestamp("2018-12-28")]
pred = pred.swaplevel().sort_index().to_frame("score")

# $change in this data is in percent (baostock's pctChg), so Qlib's float limit_threshold (compared with
# $change) would refuse every buy of a stock up 0.095% or more: give the 9.5% threshold as expressions.
LIMITS = ("($close/Ref($close,1)-1) >= 0.095", "($close/Ref($close,1)-1) <= -0.095")
strategy = TopkDropoutStrategy(signal=pred, topk=50, n_drop=5)
report, positions = backtest_daily(
    start_time=START, end_time=END, strategy=strategy, account=1e8, benchmark="SH000300",
    exchange_kwargs={"deal_price": "close", "open_cost": 0.0005, "close_cost": 0.0015, "min_cost": 5, "limit_threshold": LIMITS},
)
excess = report["return"] - report["bench"] - report["cost"]
bench = D.features(["SH000300"], ["$close"], start_time="2018-11-01", end_time=END)["$close"].droplevel(0)

# Bars for every stock that was ever a member, over the whole period: a stock that leaves the index
# can still be sold (Qlib's exchange quotes all instruments).
codes = sorted(set(feat.index.get_level_values("instrument")))
allbars = D.features(codes, ["$open", "$high", "$low", "$close", "$volume", "$factor"], start_time="2018-11-01", end_time=END)
allbars.columns = ["open", "high", "low", "close", "volume", "factor"]
bars = allbars.reset_index()
bars = bars[np.isfinite(bars["close"])]
out = {
    "report": [
        {"date": d.strftime("%Y-%m-%d"), "return": r["return"], "bench": r["bench"], "cost": r["cost"], "turnover": r["turnover"], "value": r["account"]}
        for d, r in report.iterrows()
    ],
    "holdings": {d.strftime("%Y-%m-%d"): sorted(p.get_stock_list()) for d, p in positions.items()},
    "risk_excess_with_cost": risk_analysis(excess, freq="day")["risk"].to_dict(),
    "signals": [{"date": d.strftime("%Y-%m-%d"), "code": c, "score": s} for (d, c), s in pred["score"].items()],
    # Qlib prices are adjusted (raw = adjusted / factor here); the engine takes raw prices and factor.
    "bars": [
        {"code": r.instrument, "date": r.datetime.strftime("%Y-%m-%d"), "open": r.open / r.factor, "high": r.high / r.factor,
         "low": r.low / r.factor, "close": r.close / r.factor, "volume": None if np.isnan(r.volume) else r.volume, "factor": r.factor}
        for r in bars.itertuples()
    ],
    "benchmark": [{"date": d.strftime("%Y-%m-%d"), "close": c} for d, c in bench.items()],
}
json.dump(out, open(sys.argv[1], "w"))
print(out["risk_excess_with_cost"])
