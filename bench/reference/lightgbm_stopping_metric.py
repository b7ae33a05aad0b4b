"""Nested validation of the early-stopping criterion (no test data is read).

Trains LightGBM on the train segment of a gbdt-csi300 cache (written by `bench/gbdt-csi300.bench.ts --cache DIR`)
and splits the VALID segment by day into a first half (where early stopping looks) and a second half (where the
stopped model is judged). For each parameter set it reports the round chosen by l2 and by mean daily IC on the
first half, and the second half's mean daily IC at each of those rounds.

usage: python3 bench/reference/lightgbm_stopping_metric.py CACHE_DIR
"""
import json, sys
import numpy as np
import lightgbm as lgb

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
F = len(meta["names"])
def load(seg):
    x = np.fromfile(f"{d}/{seg}_x.f32", dtype=np.float32).reshape(-1, F)
    y = np.fromfile(f"{d}/{seg}_y.f32", dtype=np.float32)
    day = np.fromfile(f"{d}/{seg}_day.i32", dtype=np.int32)
    return x, y, day
tx, ty, _ = load("train")
vx, vy, vday = load("valid")
days = np.unique(vday)
half = days[len(days) // 2]
a = vday < half
b = ~a

def daily_ic(pred, y, day):
    out = []
    for u in np.unique(day):
        m = day == u
        if m.sum() < 3: continue
        p, t = pred[m], y[m]
        if p.std() == 0 or t.std() == 0: continue
        out.append(np.corrcoef(p, t)[0, 1])
    return float(np.mean(out)), float(np.mean(out) / np.std(out))

sets = {
    "qlib": dict(objective="regression", learning_rate=0.2, num_leaves=210, max_depth=8, lambda_l1=205.6999, lambda_l2=580.9768,
                 colsample_bytree=0.8879, subsample=0.8789, bagging_freq=0, seed=42),
    "slow": dict(objective="regression", learning_rate=0.05, num_leaves=63, max_depth=8, lambda_l2=100, colsample_bytree=0.8,
                 subsample=0.8, bagging_freq=1, min_data_in_leaf=200, seed=7),
    "shallow": dict(objective="regression", learning_rate=0.1, num_leaves=31, max_depth=6, lambda_l2=200, colsample_bytree=0.6,
                    subsample=0.7, bagging_freq=1, min_data_in_leaf=500, seed=3),
}
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 400
step = 5
for name, p in sets.items():
    p = dict(p, verbose=-1, num_threads=2)
    bst = lgb.train(p, lgb.Dataset(tx, ty), num_boost_round=rounds)
    rows = []
    for it in range(step, rounds + 1, step):
        pa = bst.predict(vx[a], num_iteration=it)
        pb = bst.predict(vx[b], num_iteration=it)
        l2 = float(np.mean((pa - vy[a]) ** 2))
        rows.append((it, l2, daily_ic(pa, vy[a], vday[a])[0], *daily_ic(pb, vy[b], vday[b])))
    r = np.array(rows)
    # patience 50 rounds on a 5-round grid: first round after which 10 steps pass without improvement
    def stop(col, better):
        best, bi = None, 0
        for i in range(len(r)):
            if best is None or better(r[i, col], best): best, bi = r[i, col], i
            elif i - bi >= 10: break
        return bi
    il2 = stop(1, lambda v, b_: v < b_)
    iic = stop(2, lambda v, b_: v > b_)
    print(json.dumps({"params": name, "l2_stop": {"round": int(r[il2, 0]), "first_half_ic": r[il2, 2], "second_half_ic": r[il2, 3], "second_half_icir": r[il2, 4]},
                      "ic_stop": {"round": int(r[iic, 0]), "first_half_ic": r[iic, 2], "second_half_ic": r[iic, 3], "second_half_icir": r[iic, 4]},
                      "second_half_ic_by_round": {int(x[0]): round(x[3], 4) for x in r[::4]}}))
    sys.stdout.flush()
