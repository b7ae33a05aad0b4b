"""LightGBM reference for bench/gbdt-vs-lightgbm.bench.ts.

Reads a CSV written by the bench (columns: split, label, f0..fN; split is train/valid/test), trains
LightGBM with the parameters given as JSON, and prints one JSON line: train seconds, best
iteration, test MSE and test IC (Pearson correlation of prediction and label).

    python3 bench/reference/lightgbm_reference.py DATA.csv PARAMS.json
"""
import json
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd


def main() -> None:
    data = pd.read_csv(sys.argv[1])
    with open(sys.argv[2]) as fh:
        p = json.load(fh)
    feats = [c for c in data.columns if c not in ("split", "label")]
    part = {s: data[data["split"] == s] for s in ("train", "valid", "test")}
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
    train = lgb.Dataset(part["train"][feats].to_numpy(np.float32), part["train"]["label"].to_numpy(np.float32))
    valid = lgb.Dataset(part["valid"][feats].to_numpy(np.float32), part["valid"]["label"].to_numpy(np.float32), reference=train)
    started = time.perf_counter()
    cpu_started = time.process_time()
    booster = lgb.train(
        params,
        train,
        num_boost_round=p["numIterations"],
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(p["earlyStoppingRounds"], verbose=False)] if p["earlyStoppingRounds"] > 0 else [],
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    x = part["test"][feats].to_numpy(np.float32)
    y = part["test"]["label"].to_numpy(np.float64)
    pred = booster.predict(x, num_iteration=booster.best_iteration or None)
    print(json.dumps({
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "bestIteration": int(booster.best_iteration or booster.current_iteration()),
        "testMse": float(np.mean((pred - y) ** 2)),
        "testIc": float(np.corrcoef(pred, y)[0, 1]),
    }))


if __name__ == "__main__":
    main()
