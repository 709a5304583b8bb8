#!/usr/bin/python3
"""report.py -- the tables of `make bench` (bench/run collects, this writes).

  report.py --logs DIR --lc LC.csv --truth TRUTH.csv [options] -o OUT.md|-

Reads DIR/<label>.time (GNU time -v) and DIR/<label>.err (the --timing table
every tool prints: `timing ph-TOOL STEP... WALL_S DEVICE_S`), the light curve
written by ph-lc and ph-sim's transient truth, and writes one Markdown page:
machine, targets (issue 10) with verdicts, per-tool wall / CPU / peak RSS for
one pair and their per-step tables, GPU rows, light-curve accuracy, scaling.
"""
import argparse
import csv
import datetime
import glob
import math
import os
import platform
import re
import statistics
import sys

TARGET_PAIR_S = 60.0
TARGET_RSS_MB = 4096.0
TARGET_GPU_S = 1.0
TARGET_GPU_GB = 8.0
TARGET_BIAS = 0.005
TARGET_PULL = 0.1
TARGET_ZPT = 0.01


def parse_time(path):
    """GNU time -v: wall, user, sys (s), max RSS (MB)."""
    r = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock)"):
                v = line.rsplit(": ", 1)[1].split(":")
                s = 0.0
                for x in v:
                    s = s * 60 + float(x)
                r["wall"] = s
            elif line.startswith("User time"):
                r["user"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time"):
                r["sys"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("Maximum resident set size"):
                r["rss"] = float(line.rsplit(":", 1)[1]) / 1024.0
    r["cpu"] = r.get("user", 0.0) + r.get("sys", 0.0)
    return r


def parse_steps(path):
    """--timing lines -> [(step, wall, device or None)], total excluded."""
    steps, extra = [], {}
    if not os.path.exists(path):
        return steps, extra
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[0] == "timing" and w[1].startswith("ph-"):
                name = " ".join(w[2:-2])
                if name == "step":
                    continue
                try:
                    wall = float(w[-2])
                except ValueError:
                    continue
                dev = None if w[-1] == "-" else float(w[-1])
                steps.append((name, wall, dev))
            m = re.search(r"engine peak memory ([0-9.]+) GB", line)
            if m:
                extra["peak_gb"] = float(m.group(1))
    return steps, extra


def load(logs, label):
    t = os.path.join(logs, label + ".time")
    if not os.path.exists(t):
        return None
    r = parse_time(t)
    r["steps"], r["extra"] = parse_steps(os.path.join(logs, label + ".err"))
    g = os.path.join(logs, label + ".gpumem")
    if os.path.exists(g):
        v = open(g).read().split()
        if len(v) == 2:
            r["smi_above"], r["smi_peak"] = float(v[0]) / 1024, float(v[1]) / 1024  # GiB
    return r


def fmt(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{nd}f}"


def steps_text(r, device=False):
    parts = []
    for name, wall, dev in r["steps"]:
        if name == "total":
            continue
        if device and dev is not None:
            parts.append(f"{name} {wall:.2f} (dev {dev:.3f})")
        else:
            parts.append(f"{name} {wall:.2f}")
    return ", ".join(parts) if parts else "(no --timing table)"


def verdict(ok):
    return "met" if ok else "**missed**"


def machine(gpu):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}{mem}; GPU: {gpu}"


def lc_rows(lines, truth):
    """Light-curve (or photometry) rows against the transient truth."""
    acc = []
    for r in csv.DictReader(lines):
        t = truth.get(r["observation_id"])
        if t is None or r["success"] != "True":
            continue
        fl, er, tf = float(r["flux"]), float(r["flux_err"]), float(t["flux"])
        acc.append(dict(mjd=float(r["mjd"]), obs=r["observation_id"], flux=fl, err=er, true=tf,
                        snr=tf / er if er > 0 else float("nan"), pull=(fl - tf) / er,
                        bias=(fl - tf) / tf if tf > 0 else float("nan"),
                        zpt=float(r["zpt"]), tzpt=float(t["zpt"]), zsrc=r.get("zpt_source", ""),
                        nst=r.get("zpt_nstars", ""), zsc=r.get("zpt_scatter", "")))
    acc.sort(key=lambda x: x["mjd"])
    return acc


def lc_stats(acc):
    hi = [x for x in acc if x["snr"] > 20]
    med_bias = statistics.median([x["bias"] for x in hi]) if hi else float("nan")
    pulls = [x["pull"] for x in acc]
    pull_mean = statistics.mean(pulls) if pulls else float("nan")
    pull_std = statistics.stdev(pulls) if len(pulls) > 1 else float("nan")
    zerr = max((abs(x["zpt"] - x["tzpt"]) for x in acc), default=float("nan"))
    return med_bias, pull_mean, pull_std, zerr, hi, pulls


def inj_rows(paths):
    """Injected sources measured (object_id,...,true_flux,flux,flux_err)."""
    inj = []
    for path in paths:
        with open(path) as f:
            for r in csv.DictReader(f):
                try:
                    tf, fl, er = float(r["true_flux"]), float(r["flux"]), float(r["flux_err"])
                except (KeyError, ValueError):
                    continue
                if math.isfinite(fl) and math.isfinite(er) and er > 0:
                    inj.append(dict(true=tf, flux=fl, err=er, snr=tf / er, bias=(fl - tf) / tf,
                                    pull=(fl - tf) / er))
    return inj


def inj_stats(inj):
    ihi = [x for x in inj if x["snr"] > 20]
    i_bias = statistics.median([x["bias"] for x in ihi]) if ihi else float("nan")
    ipull = [x["pull"] for x in inj]
    i_pmean = statistics.mean(ipull) if ipull else float("nan")
    i_pstd = statistics.stdev(ipull) if len(ipull) > 1 else float("nan")
    i_pmad = (1.4826 * statistics.median([abs(p - statistics.median(ipull)) for p in ipull])
              if ipull else float("nan"))
    return i_bias, i_pmean, i_pstd, i_pmad, ihi, ipull


def inj_table(w, inj):
    w("| SNR bin | n | median bias % | pull mean | pull std | pull robust std |")
    w("|---|---|---|---|---|---|")
    for lo, hi_ in ((0, 20), (20, 50), (50, 100), (100, 1e9)):
        b = [x for x in inj if lo <= x["snr"] < hi_]
        if len(b) < 2:
            continue
        pl = [x["pull"] for x in b]
        md = statistics.median(pl)
        w(f"| {lo:g}-{hi_ if hi_ < 1e8 else 'inf'} | {len(b)} | "
          f"{100 * statistics.median([x['bias'] for x in b]):+.2f} | {statistics.mean(pl):+.2f} | "
          f"{statistics.stdev(pl):.2f} | {1.4826 * statistics.median([abs(p - md) for p in pl]):.2f} |")
    w("")


def lc_table(w, acc):
    w("| mjd | obs id | true flux | flux | flux_err | SNR | bias % | pull | zpt - truth (mag) | zpt stars | zpt scatter |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for x in acc:
        try:
            zsc = f"{float(x['zsc']):.4f}"
        except ValueError:
            zsc = x["zsc"]
        w(f"| {x['mjd']:.1f} | {x['obs']} | {x['true']:.1f} | {x['flux']:.1f} | {x['err']:.1f} | "
          f"{x['snr']:.0f} | {100 * x['bias']:+.2f} | {x['pull']:+.2f} | {x['zpt'] - x['tzpt']:+.4f} | "
          f"{x['nst']} | {zsc} |")
    w("")

BEGIN, END = "<!-- bench:begin (bench/run writes this) -->", "<!-- bench:end -->"


def update_readme(path, out, results, size):
    """Quote the targets table of `out` between the README's bench markers."""
    i = out.index("## Targets (issue 10)")
    j = next(k for k in range(i + 1, len(out)) if out[k].startswith("## "))
    table = [x for x in out[i + 1:j] if x.startswith("|")]
    when = out[0].replace("# phrosty-c bench, ", "")
    mach = next((x[len("- machine: "):] for x in out if x.startswith("- machine: ")), "")
    block = [BEGIN, "", f"`make bench`, {when}, on {mach}; {size}x{size} Y106 images "
             f"from ph-sim. Every figure, per tool and per step, is in [{results}]({results}).",
             ""] + table + [""]
    where = next((x for x in out if x.startswith("Where it goes: ")), "")
    if where:
        block += [where, ""]
    block += [END]
    with open(path) as f:
        text = f.read()
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + "\n".join(block) + post
    else:
        text = text.rstrip("\n") + "\n\n## Performance (make bench)\n\n" + "\n".join(block) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--lc", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--size", type=int, default=4088)
    ap.add_argument("--scale-size", type=int, default=2048)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--scale", default="1 5 20")
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--gpu", default="none")
    ap.add_argument("--total", type=float, default=float("nan"))
    ap.add_argument("--readme", help="README to update between its bench markers")
    ap.add_argument("--results-name", default="bench/results/latest.md")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    L = a.logs
    out = []
    w = out.append
    now = datetime.datetime.now(datetime.timezone.utc)
    w(f"# phrosty-c bench, {now:%Y-%m-%d %H:%M} UTC")
    w("")
    w(f"- machine: {platform.node()}, {machine(a.gpu)}")
    w(f"- commit: {a.commit}; `make bench` (bench/run) took {a.total:.0f} s in all")
    w(f"- images: ph-sim Y106 scenes, {a.size}x{a.size} for the pair and the light curve "
      f"(1 template x {a.epochs} science epochs), {a.scale_size}x{a.scale_size} for the scaling runs")
    scene = os.path.join(L, "scene.txt")
    if os.path.exists(scene):
        rows = [r.split() for r in open(scene).read().splitlines() if r.strip()]
        if rows:
            w("- scene (ph-sim's OpenUniverse2024-like defaults), per image template first: SCA "
              + ", ".join(r[0] for r in sorted(rows, key=lambda r: -int(r[6])))
              + "; roll " + ", ".join(r[1] + "\u00b0" for r in sorted(rows, key=lambda r: -int(r[6])))
              + f"; {rows[0][2]} cosmic rays (not flagged), {rows[0][3]} bad pixels (DQ 1), "
              f"{rows[0][4]} stars and {rows[0][5]} galaxies on the first image")
    w(f"- load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])} "
      "(the machine may be shared; times are wall clock of single runs)")
    w("")

    # ------------------------------------------------ the pair
    pair_labels = [("ph-skysub (template)", "skysub_tpl"), ("ph-psf (template)", "psf_tpl"),
                   ("ph-skysub (science)", "skysub_sci_1"), ("ph-psf (science)", "psf_sci_1"),
                   ("ph-align", "align_1"), ("ph-subtract (CPU)", "subtract_1"),
                   ("ph-decorr", "decorr_1"), ("ph-phot (CPU)", "phot_1")]
    rows = [(n, load(L, l)) for n, l in pair_labels]
    rows = [(n, r) for n, r in rows if r]
    tot_wall = sum(r["wall"] for _, r in rows)
    tot_cpu = sum(r["cpu"] for _, r in rows)
    max_rss = max(r["rss"] for _, r in rows)
    lc = load(L, "lc")
    sim = load(L, "sim")
    # all tools' RSS, every run
    all_rss = []
    for t in glob.glob(os.path.join(L, "*.time")):
        lab = os.path.basename(t)[:-5]
        if "sim" in lab or lab.startswith("pipeline"):
            continue
        all_rss.append((parse_time(t)["rss"], lab))
    worst_rss = max(all_rss) if all_rss else (float("nan"), "-")

    gpu_sub = load(L, "subtract_gpu_1")
    gpu_phot = load(L, "phot_gpu_1")

    # ------------------------------------------------ accuracy
    truth = {}
    with open(a.truth) as f:
        for r in csv.DictReader(f):
            truth[r["observation_id"]] = r
    with open(a.lc) as f:
        acc = lc_rows([x for x in f if not x.startswith("#")], truth)
    med_bias, pull_mean, pull_std, zerr, hi, pulls = lc_stats(acc)
    inj = inj_rows(sorted(glob.glob(os.path.join(L, "inject_*.csv"))))
    i_bias, i_pmean, i_pstd, i_pmad, ihi, ipull = inj_stats(inj)
    # the independent check beside ph-phot (bench/phot_peer.py)
    peer_lines = []
    for path in sorted(glob.glob(os.path.join(L, "peer_row_*.csv"))):
        with open(path) as f:
            ls = f.readlines()
        peer_lines += ls if not peer_lines else ls[1:]
    peer = lc_rows(peer_lines, truth) if peer_lines else []
    pinj = inj_rows(sorted(glob.glob(os.path.join(L, "peer_inject_*.csv"))))

    # ------------------------------------------------ targets
    w("## Targets (issue 10)")
    w("")
    w("| target | goal | measured | verdict |")
    w("|---|---|---|---|")
    w(f"| CPU pair, sky subtraction to light-curve row ({a.size}^2) | < {TARGET_PAIR_S:.0f} s | "
      f"{tot_wall:.1f} s wall, {tot_cpu:.1f} s CPU | {verdict(tot_wall < TARGET_PAIR_S)} |")
    w(f"| peak RSS, any single tool | < 4 GB | {worst_rss[0]:.0f} MB ({worst_rss[1]}) | "
      f"{verdict(worst_rss[0] < TARGET_RSS_MB)} |")
    if gpu_sub:
        dev = sum(d for _, _, d in gpu_sub["steps"] if d is not None)
        pk = gpu_sub["extra"].get("peak_gb", gpu_sub.get("smi_above", float("nan")))
        w(f"| GPU ph-subtract, one pair excluding I/O | < {TARGET_GPU_S:.0f} s | {dev:.3f} s device | "
          f"{verdict(dev < TARGET_GPU_S)} |")
        w(f"| GPU device memory | < {TARGET_GPU_GB:.0f} GB | {pk:.2f} GB | {verdict(pk < TARGET_GPU_GB)} |")
    else:
        w("| GPU ph-subtract, one pair excluding I/O | < 1 s | not measured (no GPU) | - |")
        w("| GPU device memory | < 8 GB | not measured (no GPU) | - |")
    w(f"| median flux bias at SNR > 20, transient light curve | < 0.5% | {100 * med_bias:+.2f}% "
      f"({len(hi)} epochs) | {verdict(abs(med_bias) < TARGET_BIAS)} |")
    w(f"| pull standard deviation, transient light curve | 1 +- 0.1 | {pull_std:.2f} (mean "
      f"{pull_mean:+.2f}, {len(pulls)} epochs) | {verdict(abs(pull_std - 1) < TARGET_PULL)} |")
    if inj:
        w(f"| median flux bias at SNR > 20, injected sources (independent photometry) | < 0.5% | {100 * i_bias:+.2f}% "
          f"({len(ihi)} of {len(inj)}) | {verdict(abs(i_bias) < TARGET_BIAS)} |")
        w(f"| pull standard deviation, injected sources (independent photometry) | 1 +- 0.1 | {i_pstd:.2f} (mean "
          f"{i_pmean:+.2f}, robust {i_pmad:.2f}, {len(inj)}) | "
          f"{verdict(abs(i_pstd - 1) < TARGET_PULL)} |")
    w(f"| zero point vs truth | < 0.01 mag | {zerr:.4f} mag (max over epochs) | "
      f"{verdict(zerr < TARGET_ZPT)} |")
    w("")
    if len(pulls) < 30:
        w(f"With {len(pulls)} epochs the pull standard deviation itself is uncertain by about "
          f"+-{1 / math.sqrt(2 * max(len(pulls) - 1, 1)):.2f}; the bias and pull figures "
          "are indicative, not a calibration.")
        w("")

    # where a target is missed: by how much, and where the time goes
    notes = []
    if tot_wall >= TARGET_PAIR_S:
        notes.append(f"the CPU pair takes {tot_wall:.1f} s, {tot_wall - TARGET_PAIR_S:.1f} s "
                     f"({100 * (tot_wall / TARGET_PAIR_S - 1):.0f}%) over {TARGET_PAIR_S:.0f} s")
    if worst_rss[0] >= TARGET_RSS_MB:
        notes.append(f"{worst_rss[1]} peaks at {worst_rss[0]:.0f} MB, "
                     f"{worst_rss[0] - TARGET_RSS_MB:.0f} MB over 4 GB")
    if abs(med_bias) >= TARGET_BIAS:
        notes.append(f"the transient's median bias is {100 * med_bias:+.2f}%, "
                     f"{100 * (abs(med_bias) - TARGET_BIAS):.2f} points beyond 0.5%")
    if inj and abs(i_bias) >= TARGET_BIAS:
        notes.append(f"the injected sources' median bias is {100 * i_bias:+.2f}%")
    if math.isfinite(zerr) and zerr >= TARGET_ZPT:
        notes.append(f"the zero point is off by up to {zerr:.4f} mag")
    if notes and (peer or pinj) and (abs(med_bias) >= TARGET_BIAS or zerr >= TARGET_ZPT):
        pb, _, ps, pz, _, _ = lc_stats(peer)
        qb, _, qs, _, _, _ = inj_stats(pinj or inj)
        where_bias = ("so most of the transient's bias is the photometry step's"
                      if abs(pb) <= 0.5 * abs(med_bias) else
                      "so the transient's bias is in the difference images, not the photometry")
        notes.append(f"the independent check on the same decorrelated files (bench/phot_peer.py, "
                     f"exact-phase PSF) gives {100 * pb:+.2f}% for the transient, {100 * qb:+.2f}% "
                     f"for the injected sources (pull std {qs:.2f}) and a zero point within "
                     f"{pz:.4f} mag, " + where_bias)
    steps = []
    for n, r in rows:
        for st, wall, _ in r["steps"]:
            if st != "total":
                steps.append((wall, f"{n.split(' ')[0]} {st}"))
    steps.sort(reverse=True)
    if notes or steps:
        w("Where it goes: " + (("; ".join(notes) + ". ") if notes else "")
          + "The longest steps of the pair (--timing wall s): "
          + ", ".join(f"{name} {wall:.1f}" for wall, name in steps[:5])
          + f" of {tot_wall:.1f} s; the largest memory is {rows and max(rows, key=lambda x: x[1]['rss'])[0]}"
          + f" ({max_rss:.0f} MB).")
        w("")

    # ------------------------------------------------ per tool
    w(f"## One pair, {a.size}x{a.size}, CPU (2 threads where a tool is threaded)")
    w("")
    w("| tool | wall s | CPU s | peak RSS MB | steps (--timing, wall s) |")
    w("|---|---|---|---|---|")
    for n, r in rows:
        w(f"| {n} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | {steps_text(r)} |")
    w(f"| **whole pair** | **{tot_wall:.2f}** | **{tot_cpu:.2f}** | **{max_rss:.0f}** (max) | |")
    if lc:
        w(f"| ph-lc ({a.epochs} rows) | {lc['wall']:.2f} | {lc['cpu']:.2f} | {lc['rss']:.0f} | {steps_text(lc)} |")
    if sim:
        w(f"| ph-sim ({a.epochs + 1} epochs, not part of the pair) | {sim['wall']:.2f} | {sim['cpu']:.2f} | "
          f"{sim['rss']:.0f} | {steps_text(sim)} |")
    w("")
    # mean over the 5 pairs of the light curve
    per = {}
    for t in glob.glob(os.path.join(L, "*_[0-9]*.time")):
        lab = os.path.basename(t)[:-5]
        if lab.startswith("s_") or "gpu" in lab:
            continue
        tool = re.sub(r"_[0-9]+$", "", lab)
        per.setdefault(tool, []).append(parse_time(t))
    if per:
        w("Over the light curve's pairs (same size): mean wall s (min-max), peak RSS MB:")
        w("")
        w("| step | pairs | mean wall s | min-max | peak RSS MB |")
        w("|---|---|---|---|---|")
        order = ["skysub_sci", "psf_sci", "align", "subtract", "decorr", "phot"]
        for tool in order:
            if tool not in per:
                continue
            v = [x["wall"] for x in per[tool]]
            w(f"| {tool} | {len(v)} | {statistics.mean(v):.2f} | {min(v):.2f}-{max(v):.2f} | "
              f"{max(x['rss'] for x in per[tool]):.0f} |")
        w("")

    # ------------------------------------------------ GPU
    w("## GPU")
    w("")
    if gpu_sub or gpu_phot:
        w(f"Device: {a.gpu}. Device time from CUDA events per step (ph_timing_add_device), "
          "excluding file I/O.")
        w("")
        w("| tool | wall s | device s (sum) | peak RSS MB | engine peak device GB | "
          "nvidia-smi peak GiB (above idle) | steps: wall s (device s) |")
        w("|---|---|---|---|---|---|---|")
        for n, r in (("ph-subtract --device gpu", gpu_sub), ("ph-phot --device gpu", gpu_phot)):
            if r:
                pk = r["extra"].get("peak_gb")
                dv = sum(d for _, _, d in r["steps"] if d is not None)
                w(f"| {n} | {r['wall']:.2f} | {dv:.3f} | {r['rss']:.0f} | {fmt(pk)} | "
                  f"{fmt(r.get('smi_peak'))} ({fmt(r.get('smi_above'))}) | {steps_text(r, True)} |")
        w("")
        w("Device time: CUDA events around each GPU step, file I/O and host work excluded; "
          "nvidia-smi samples every 50 ms (it includes the CUDA context).")
    else:
        w("Not measured (no GPU on this machine): device time per step and peak device memory "
          "are measured by the same `make bench` on a machine with a CUDA device.")
    w("")

    # ------------------------------------------------ accuracy
    w("## Light-curve accuracy (ph-sim truth)")
    w("")
    src = acc[0]["zsrc"] if acc else "-"
    w(f"Transient: known flux per epoch (ph-sim expected counts); zero point source: {src}.")
    w("")
    lc_table(w, acc)
    if inj:
        w(f"Injected point sources ({len(inj)} measurements: the same sky positions on every "
          "science epoch, 2000 to 20000 e-, measured by bench/phot_peer.py, the independent "
          "forced photometry described below; pull = (flux - true) / flux_err against the "
          "expected counts). They measure the subtraction chain (ph-skysub ... ph-decorr) away "
          "from the transient:")
        w("")
        inj_table(w, inj)
    if peer or pinj:
        pb, pm, ps, pz, phi, pp = lc_stats(peer)
        qb, qm, qs, qr, qhi, qp = inj_stats(pinj)
        w("### Independent check: bench/phot_peer.py on the same decorrelated files")
        w("")
        w("A forced PSF fit with the exact science ePSF at the sub-pixel phase (bicubic in "
          "ph-sim's 9x oversampled model file), convolved with the template PSF and the "
          "decorrelation kernel, weights 1/DIFF_VAR, 7x7 box, no local sky; zero point from the "
          "19-21.5 mag truth stars on DECORR_SCI. It separates what the subtraction chain "
          "(ph-skysub ... ph-decorr) loses from what the photometry adds.")
        w("")
        txt = (f"Transient: median bias at SNR > 20 {100 * pb:+.2f}% ({len(phi)} epochs), pull "
               f"mean {pm:+.2f}, std {ps:.2f}; zero point within {pz:.4f} mag.")
        if pinj:
            txt += (f" Injected sources ({len(pinj)}): median bias at SNR > 20 {100 * qb:+.2f}%, "
                    f"pull mean {qm:+.2f}, std {qs:.2f} (robust {qr:.2f}).")
        w(txt)
        w("")
        if peer:
            lc_table(w, peer)
        if pinj:
            inj_table(w, pinj)

    # ------------------------------------------------ scaling
    sc = os.path.join(L, "scale_direct.txt")
    ns = [int(n) for n in a.scale.split()]
    if os.path.exists(sc) and ns:
        shared, cum = 0.0, {}
        with open(sc) as f:
            for line in f:
                v = line.split()
                if v[0] == "shared":
                    shared = float(v[1])
                else:
                    cum[int(v[1])] = float(v[2])
        w(f"## Scaling: N science images against one template ({a.scale_size}x{a.scale_size})")
        w("")
        w("Direct (bench/run drives the tools one after the other, as ph-pipeline -p 1 would): "
          "the template's sky subtraction and PSF run once (shared), then one "
          "skysub + psf + align + subtract + decorr + phot per science image. "
          "Times for N are cumulative within one run of max(N) pairs.")
        w("")
        w("| N | shared s (once) | pairs s | total s | per pair s | shared share |")
        w("|---|---|---|---|---|---|")
        for n in ns:
            if n not in cum:
                continue
            tot = shared + cum[n]
            w(f"| {n} | {shared:.2f} | {cum[n]:.2f} | {tot:.2f} | {tot / n:.2f} | "
              f"{100 * shared / tot:.1f}% |")
        w("")
        steps = {}
        for t in glob.glob(os.path.join(L, "s_*.time")):
            lab = os.path.basename(t)[5:] if False else os.path.basename(t)[2:-5]
            tool = re.sub(r"_[0-9]+$", "", lab)
            steps.setdefault(tool, []).append(parse_time(t)["wall"])
        if steps:
            w("Where the time goes at this size (mean wall s per run; `_tpl` runs once):")
            w("")
            w("| step | runs | mean wall s |")
            w("|---|---|---|")
            for tool in sorted(steps):
                v = steps[tool]
                w(f"| {tool} | {len(v)} | {statistics.mean(v):.2f} |")
            w("")
        w("ph-pipeline -p 2 (make -j 2), a fresh output directory for each N:")
        w("")
        w("| N | wall s | CPU s | per pair s | peak RSS MB | light-curve rows (success) |")
        w("|---|---|---|---|---|---|")
        for n in ns:
            r = load(L, f"pipeline_{n}")
            rows_f = os.path.join(L, f"pipeline_{n}.rows")
            rr = open(rows_f).read().split() if os.path.exists(rows_f) else []
            rtxt = f"{rr[1]} ({rr[0]})" if len(rr) == 2 else "-"
            if r:
                w(f"| {n} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['wall'] / n:.2f} | "
                  f"{r['rss']:.0f} | {rtxt} |")
        w("")
    text = "\n".join(out) + "\n"
    if a.readme:
        update_readme(a.readme, out, a.results_name, a.size)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
