# Figures: drawn from the histories, the statistics and the readings of the published figure
# (figNN.draw; never retrains); one named target per figure. The report's caption of a figure is
# workflow/report/figNN.rst.


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


# Fig 8's transect study (Fig 15) by its name in the issue and the README.
if "fig15" in FIGURES:

    rule fig08_study:
        input:
            figure_targets("fig15"),


# `snakemake targets` lists what can be asked for by name (an unknown target only gets Snakemake's
# generic "No rule to produce").
rule targets:
    localrule: True
    params:
        text=lambda w: "\n".join(
            [f"Targets at the {SCALE} scale (snakemake --cores 2 TARGET --config scale={SCALE}):",
             "  all (the default)  every figure, the claims table and the prepared data",
             *(f"  {fig:<18} Figure {int(fig[3:5])}{f' (variant {fig[6:]})' if fig in VARIANTS else ''} with its statistics, claims, comparison and provenance" for fig in FIGURES),
             *([f"  {'fig08_study':<18} Fig 8's transect study (Figure 15)"] if "fig15" in FIGURES else []),
             f"  {'data':<18} the prepared data sets: {', '.join(DATASETS)}",
             f"  {'snapshot':<18} copy the figures and claims table into docs/",
             f"  {'targets':<18} this list",
             f"  or any output file, e.g. {RESULTS}/stats/fig07.csv; a report: snakemake --report report.html"]
        ),
    log:
        f"{RESULTS}/logs/targets.log",
    shell:
        "echo {params.text:q} | tee {log:q}"
