# Report: each figure's provenance (commit, versions, device, wall times, data checksums).


rule provenance:
    input:
        reads=f"{RESULTS}/reads/{{fig}}.json",
        claims=f"{RESULTS}/claims/{{fig}}.json",  # after the claims: one SLURM job per figure (group post) of at most 2 jobs at once
        infos=figure_infos,
        data=figure_data_metas,
    output:
        report(f"{RESULTS}/provenance/{{fig}}.json", category="Provenance"),
    params:
        python=PYTHON,
        args=provenance_args,
        scale=SCALE,
    log:
        f"{RESULTS}/logs/provenance/{{fig}}.log",
    shell:
        "{params.python:q} scripts/provenance.py --figure {wildcards.fig} --scale {params.scale}"
        " --reads {input.reads:q} {params.args} --out {output:q} > {log:q} 2>&1"


# The README's snapshot: the figures and the claims table of the scale run (the README shows the
# cpu scale: `snakemake --cores 1 snapshot --config scale=cpu`). Each figure carries its stamp
# (scale, date, commit) in small print.
rule snapshot:
    input:
        figures=expand(f"{RESULTS}/figures/{{fig}}.png", fig=FIGURES),
        claims=f"{RESULTS}/claims.md",
    output:
        figures=expand("docs/figures/{fig}.png", fig=FIGURES),
        claims="docs/claims.md",
    log:
        f"{RESULTS}/logs/snapshot.log",
    shell:
        "(for f in {input.figures}; do cp $f docs/figures/; done; cp {input.claims} {output.claims}) > {log} 2>&1"
