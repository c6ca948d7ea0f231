#!/usr/bin/env python3
"""scikit-learn reference timings for the clustering benchmark (bench/ml.ts runs this; nothing else depends on it).

Reads the matrix bench/ml-data.ts wrote (NAME.f64: rows x cols float64 little-endian, row-major; NAME.i32: int32
labels, the blob of each row) and times, on exactly that matrix, the operations the browser's ML worker is timed on:

  kmeans         KMeans(n_clusters=8, n_init=4, init='k-means++', algorithm='lloyd', max_iter=300, tol=1e-4,
                 random_state=0).fit
  scan           for k = 2..10: KMeans(k, n_init=2, same settings).fit, silhouette_score(sample_size=10000),
                 calinski_harabasz_score, davies_bouldin_score (what the worker's k scan computes)
  gmm            GaussianMixture(8, covariance_type='diag', init_params='k-means++', n_init=1, random_state=0).fit
                 (k-means++ starts as ours; sklearn's default init runs a whole KMeans first)
  agglomerative  AgglomerativeClustering(8, linkage='ward').fit on a 5,000-row sample (the size ours builds its
                 hierarchy on), then every other row to the nearest cluster centre (as ours does)
  dbscan         DBSCAN(eps, min_samples).fit (defaults 0.5 / 5)
  pca            PCA(n_components=2).fit_transform
  forest         RandomForestClassifier(n_estimators=100, max_depth=12, min_samples_leaf=5, max_features='sqrt',
                 random_state=0).fit on the labels (ours: the same depth, leaf size and features per split)
  silhouette     silhouette_score(X, labels, sample_size=10000, random_state=0)

Each operation: one warm-up run, then --runs timed runs (just one when the warm-up took over --slow-ms).
Threads: whatever the environment allows (bench/ml.ts runs it once as is and once with OMP_NUM_THREADS=1,
OPENBLAS_NUM_THREADS=1, MKL_NUM_THREADS=1); the thread pools actually in use are reported (threadpoolctl).
Output: one JSON object on stdout: {"sklearn": version, "threads": {...}, "results": [{op, ms: [...], info}]}.
"""
import argparse
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture


def kmeans(x, y, a):
    m = KMeans(n_clusters=a.k, n_init=a.restarts, init="k-means++", algorithm="lloyd", max_iter=300, tol=1e-4,
               random_state=a.seed).fit(x)
    return {"inertia": float(m.inertia_), "iterations": int(m.n_iter_)}


def scan(x, y, a):
    sil = []
    for k in range(2, 11):
        m = KMeans(n_clusters=k, n_init=2, init="k-means++", algorithm="lloyd", max_iter=300, tol=1e-4,
                   random_state=a.seed).fit(x)
        sil.append(float(silhouette_score(x, m.labels_, sample_size=10000, random_state=a.seed)))
        calinski_harabasz_score(x, m.labels_)
        davies_bouldin_score(x, m.labels_)
    return {"best_k": 2 + int(np.argmax(sil))}


def gmm(x, y, a):
    m = GaussianMixture(n_components=a.k, covariance_type="diag", init_params="k-means++", n_init=1,
                        random_state=a.seed).fit(x)
    return {"iterations": int(m.n_iter_), "converged": int(m.converged_), "logLikelihood": float(m.lower_bound_)}


def agglomerative(x, y, a):
    n = min(a.sample, x.shape[0])
    idx = np.sort(np.random.default_rng(a.seed).choice(x.shape[0], n, replace=False))
    xs = x[idx]
    labels = AgglomerativeClustering(n_clusters=a.k, linkage="ward").fit(xs).labels_
    centres = np.stack([xs[labels == c].mean(axis=0) for c in range(a.k)])
    rest = np.setdiff1d(np.arange(x.shape[0]), idx)
    d = ((x[rest, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    d.argmin(axis=1)
    return {"sampleSize": int(n)}


def dbscan(x, y, a):
    labels = DBSCAN(eps=a.eps, min_samples=a.min_pts).fit(x).labels_
    return {"clusters": int(labels.max() + 1), "noise": int((labels < 0).sum())}


def pca(x, y, a):
    m = PCA(n_components=2, random_state=a.seed)
    m.fit_transform(x)
    return {"ratio0": float(m.explained_variance_ratio_[0]), "ratio1": float(m.explained_variance_ratio_[1])}


def forest(x, y, a):
    m = RandomForestClassifier(n_estimators=100, max_depth=12, min_samples_leaf=5, max_features="sqrt",
                               random_state=a.seed).fit(x, y)
    return {"nodes": int(sum(t.tree_.node_count for t in m.estimators_))}


def silhouette(x, y, a):
    return {"silhouette": float(silhouette_score(x, y, sample_size=10000, random_state=a.seed))}


OPS = {f.__name__: f for f in (kmeans, scan, gmm, agglomerative, dbscan, pca, forest, silhouette)}


def threads():
    try:
        from threadpoolctl import threadpool_info
        return {p["internal_api"]: p["num_threads"] for p in threadpool_info()}
    except Exception as err:  # threadpoolctl missing: say so rather than fail
        return {"unknown": str(err)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.add_argument("--ops", default=",".join(OPS))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--slow-ms", type=float, default=5000)
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--restarts", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=5000)
    p.add_argument("--eps", type=float, default=0.5)
    p.add_argument("--min-pts", type=int, default=5)
    a = p.parse_args()
    x = np.fromfile(a.data, dtype="<f8").reshape(a.rows, a.cols)
    y = np.fromfile(a.labels, dtype="<i4")
    if y.shape[0] != a.rows:
        sys.exit(f"{a.labels}: {y.shape[0]} labels for {a.rows} rows")
    results = []
    for name in [o for o in a.ops.split(",") if o]:
        f = OPS[name]
        times, info, slow = [], {}, False
        for _ in range(a.warmup):
            t0 = time.perf_counter()
            f(x, y, a)
            slow = slow or (time.perf_counter() - t0) * 1000 > a.slow_ms
        for _ in range(1 if slow else a.runs):
            t0 = time.perf_counter()
            info = f(x, y, a)
            times.append((time.perf_counter() - t0) * 1000)
        results.append({"op": name, "ms": times, "info": info})
        print(f"sklearn {name}: {', '.join(f'{t:.0f}' for t in times)} ms {info}", file=sys.stderr, flush=True)
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "threads": threads(), "results": results},
              sys.stdout)


if __name__ == "__main__":
    main()
