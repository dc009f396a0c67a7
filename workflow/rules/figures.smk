# Figures: drawn from the histories, the statistics and the readings of the published figure
# (<id>.draw; never retrains); one named target per figure. The report's caption of a figure is
# workflow/report/<id>.rst.


rule figure:
    input:
        reads=f"{RESULTS}/reads/{{fig}}.json",
        histories=figure_histories,
        infos=figure_infos,
        stats=f"{RESULTS}/stats/{{fig}}.csv",
        compare=f"{RESULTS}/compare/{{fig}}.csv",
        code=figure_code,
    output:
        png=report(f"{RESULTS}/figures/{{fig}}.png", caption="../report/figure.rst", category="Figures"),
        pdf=f"{RESULTS}/figures/{{fig}}.pdf",
    params:
        python=PYTHON,
        settings=figure_settings("draw"),
        stamp=stamp,
        caption=caption,
    log:
        f"{RESULTS}/logs/figures/{{fig}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures/{{fig}}.tsv",
    shell:
        "MPLBACKEND=Agg {params.python:q} scripts/plot.py --figure {wildcards.fig} --reads {input.reads:q}"
        " --params {params.settings:q} --stats {input.stats:q} --compare {input.compare:q} --png {output.png:q} --pdf {output.pdf:q}"
        " --stamp {params.stamp:q} > {log:q} 2>&1"


# One named target per figure: `snakemake --cores 2 fig07` builds it with its statistics, claims and
# comparison with the published figure.
for _fig in FIGURES:

    rule:
        name:
            _fig
        input:
            figure_targets(_fig),


# `snakemake targets` lists what can be asked for by name, and only that (at parse time: no DAG, no
# job); an unknown name gets the nearest one and the way to the list, before any job.
rule targets:
    localrule: True
    params:
        text=lambda w: target_list(),
    log:
        f"{RESULTS}/logs/targets.log",
    shell:
        "echo {params.text:q} | tee {log:q}"


# The targets are not known to the Snakefile (Snakemake parses its command line after it): read the
# command line's words, cheaply. `targets` alone prints the list; a word shaped like a figure's name
# (fig7, fig7a, fig16), or close to a study's name (lr_decays), that names no rule stops the run with the nearest name.
WORDS = [w for w in sys.argv[1:] if not w.startswith("-")]
if workflow.is_main_process and "targets" in WORDS:
    print(target_list())
    sys.exit(0)
NAMED = [r.name for r in workflow.rules]
STUDY_NAMES = [f for f in FIGURES if is_study(f)]
UNKNOWN = sorted({w for w in WORDS if w not in NAMED and (re.fullmatch(r"fig\w*", w)
                                                       or difflib.get_close_matches(w, STUDY_NAMES, n=1, cutoff=0.75))})
if workflow.is_main_process and UNKNOWN:
    raise WorkflowError("unknown target " + "; ".join(
        f"{t!r}" + "".join(f" (did you mean {m!r}?)" for m in difflib.get_close_matches(t, NAMED, n=1, cutoff=0.5))
        for t in UNKNOWN) + f"; nothing was run. `snakemake --cores 1 targets --config scale={SCALE}` lists "
        "the targets by name.")
