"""LightGBM reference for bench/gbdt-csi300.bench.ts (Qlib's LGBModel on Alpha158, CSI300).

Reads the float32 matrices the bench wrote to DIR ({train,valid,test}_x.f32 row-major, *_y.f32,
meta.json with the row counts and feature names, params.json), trains LightGBM with Qlib's recipe
(early stopping on the valid l2), writes the test predictions of the best iteration to
DIR/test_pred_lightgbm.f64 and prints one JSON line: train seconds (wall and CPU), best iteration, LightGBM version.
The bench scores both engines' predictions with the same code.

    python3 bench/reference/lightgbm_csi300.py DIR
"""
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np


def main() -> None:
    d = sys.argv[1]
    with open(os.path.join(d, "meta.json")) as fh:
        meta = json.load(fh)
    with open(os.path.join(d, "params.json")) as fh:
        p = json.load(fh)
    cols = len(meta["names"])

    def part(name):
        x = np.fromfile(os.path.join(d, f"{name}_x.f32"), dtype=np.float32).reshape(meta["rows"][name], cols)
        y = np.fromfile(os.path.join(d, f"{name}_y.f32"), dtype=np.float32)
        return x, y

    xt, yt = part("train")
    xv, yv = part("valid")
    xs, _ = part("test")
    params = {
        "objective": "regression",
        "learning_rate": p["learningRate"],
        "num_leaves": p["numLeaves"],
        "max_depth": p["maxDepth"],
        "lambda_l1": p["lambdaL1"],
        "lambda_l2": p["lambdaL2"],
        "min_data_in_leaf": p["minDataInLeaf"],
        "min_sum_hessian_in_leaf": p["minSumHessianInLeaf"],
        "feature_fraction": p["featureFraction"],
        "bagging_fraction": p["baggingFraction"],
        "bagging_freq": p["baggingFreq"],
        "max_bin": p["maxBin"],
        "num_threads": p.get("threads", 2),
        "seed": p.get("seed", 0),
        "verbosity": -1,
    }
    # Dataset construction (binning) is part of training on both sides, as in our engine's fit.
    started = time.perf_counter()
    cpu_started = time.process_time()
    train = lgb.Dataset(xt, yt)
    valid = lgb.Dataset(xv, yv, reference=train)
    booster = lgb.train(
        params,
        train,
        num_boost_round=p["numIterations"],
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(p["earlyStoppingRounds"], verbose=False)],
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    pred = booster.predict(xs, num_iteration=booster.best_iteration or None).astype(np.float64)
    pred.tofile(os.path.join(d, "test_pred_lightgbm.f64"))
    print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "bestIteration": int(booster.best_iteration or booster.current_iteration()), "version": lgb.__version__}))


if __name__ == "__main__":
    main()
