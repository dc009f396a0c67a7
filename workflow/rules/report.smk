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
    benchmark:
        f"{RESULTS}/benchmarks/provenance/{{fig}}.tsv",
    shell:
        "{params.python:q} scripts/provenance.py --figure {wildcards.fig} --scale {params.scale}"
        " --reads {input.reads:q} {params.args} --out {output:q} > {log:q} 2>&1"


# The results book (adamdyn.book): a page per figure and study, an index with the cost of the
# build (from the benchmark files), and the README's table; every number from this scale's results.
rule book:
    input:
        claims=expand(f"{RESULTS}/claims/{{fig}}.json", fig=BUILT),
        compare=expand(f"{RESULTS}/compare/{{fig}}.csv", fig=BUILT),
        figures=expand(f"{RESULTS}/figures/{{fig}}.png", fig=BUILT),
        captions=[f"workflow/report/{fig}.rst" for fig in BASE_FIGURES],
        code=package_code("book.py", "claims/table.py"),
    output:
        pages=expand(f"{RESULTS}/book/{{fig}}.md", fig=BASE_FIGURES),
        index=f"{RESULTS}/book/index.md",
        readme=f"{RESULTS}/book/readme.md",
    params:
        python=PYTHON,
        figures=json.dumps([{"id": f, "title": title(f), "what": summary(f), "study": is_study(f),
                             "caption": f"workflow/report/{f}.rst"} for f in BASE_FIGURES]),
        variants=json.dumps(VARIANTS),
        declared=json.dumps(DECLARED),
        leave_out=lambda w: json.dumps(not_built()),
        scale=SCALE,
        results=lambda w, input: str(Path(input.claims[0]).parent.parent),  # results/<scale>
        out=lambda w, output: str(Path(output.index).parent),
        stamp=stamp,
    log:
        f"{RESULTS}/logs/book.log",
    shell:
        "{params.python:q} scripts/book.py --scale {params.scale} --results {params.results:q} --figures {params.figures:q}"
        " --variants {params.variants:q} --declared {params.declared:q} --leave-out {params.leave_out:q} --stamp {params.stamp:q} --out {params.out:q}"
        " > {log:q} 2>&1"


# docs/: the book, the figures and the claims table of the scale run, and the README's table of
# what this reproduces (the repository shows the cpu scale: `snakemake --cores 1 docs --config scale=cpu`).
rule docs:
    input:
        pages=rules.book.output.pages,
        index=rules.book.output.index,
        readme=rules.book.output.readme,
        figures=expand(f"{RESULTS}/figures/{{fig}}.png", fig=BUILT),
        claims=f"{RESULTS}/claims.md",
    output:
        pages=expand("docs/book/{fig}.md", fig=BASE_FIGURES),
        index="docs/book/index.md",
        figures=expand("docs/figures/{fig}.png", fig=BUILT),
        claims="docs/claims.md",
    params:
        python=PYTHON,
        copies=lambda w, input, output: " ".join(
            f"--copy {a} {b}" for a, b in zip([*input.pages, input.index, *input.figures, input.claims],
                                              [*output.pages, output.index, *output.figures, output.claims])),
    log:
        f"{RESULTS}/logs/docs.log",
    shell:
        "{params.python:q} scripts/docs.py {params.copies} --readme-table {input.readme:q} --readme README.md"
        " --prune docs/book --prune docs/figures"
        " > {log:q} 2>&1"
