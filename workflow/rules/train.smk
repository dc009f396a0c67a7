# Training: one job per run, or per batch of runs that differ only in Adam's (a, b) (the plan
# decides: a figure with `batched: K`). Either way every run gets runs/<run>/{history.parquet,run.json}.

TRAIN_CMD = (
    "{params.python:q} scripts/train.py --job {params.job:q} --runs-dir {params.runs_dir:q}"
    " --checkpoint {params.checkpoint:q} --threads {threads} --device {params.device}"
    " --data-dir {params.data_dir:q} --checkpoint-every {params.checkpoint_every}"
    " --progress-every {params.progress_every} > {log:q} 2>&1"
)


rule train:
    input:
        data=lambda w: job_data(w.run),
    output:
        history=f"{RESULTS}/runs/{{run}}/history.parquet",
        info=f"{RESULTS}/runs/{{run}}/run.json",
    wildcard_constraints:
        run=SINGLE_RUN,
    params:
        python=PYTHON,
        job=lambda w: job_json(w.run),
        runs_dir=runs_dir,
        checkpoint=f"{RESULTS}/checkpoints/{{run}}.pt",
        data_dir=data_dir,
        device=config["device"],
        checkpoint_every=lambda w: job_checkpoint_every(w.run),
        progress_every=config["progress_every_s"],
    threads: lambda w: job_threads(w.run)
    priority: lambda w: job_priority(w.run)
    log:
        f"{RESULTS}/logs/train/{{run}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{run}}.tsv",
    shell:
        TRAIN_CMD


for _batch in BATCHES:

    rule:
        name:
            f"train_{_batch}"
        input:
            data=job_data(_batch),
        output:
            run_files(BATCHES[_batch].runs),
        params:
            python=PYTHON,
            job=job_json(_batch),
            runs_dir=runs_dir,
            checkpoint=f"{RESULTS}/checkpoints/{_batch}.pt",
            data_dir=data_dir,
            device=config["device"],
            checkpoint_every=job_checkpoint_every(_batch),
            progress_every=config["progress_every_s"],
        threads: job_threads(_batch)
        priority: job_priority(_batch)
        log:
            f"{RESULTS}/logs/train/{_batch}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{_batch}.tsv",
        shell:
            TRAIN_CMD


# A bisected figure (the divergence-edge study): its chains in `shards` jobs that run at once (adamdyn.bisection), each
# running the whole bisection of its chains, every step's runs trained together, each run in its own
# folder under bisect/<figure>/; the shards' lists of runs make the figure's reads file, which the
# statistics, comparison and drawing read as for any figure.
for _fig in BISECTED:
    _shards = SCALE_CFG[figure_base(_fig)]["shards"]  # required by the schema

    rule:
        name:
            f"bisect_{_fig}"
        input:
            data=[f"{RESULTS}/data/{n}.pt" for n in bisection_data(_fig)],
        output:
            f"{RESULTS}/bisect/{_fig}/shard{{shard}}.json",
        wildcard_constraints:
            shard="[0-9]+",
        params:
            python=PYTHON,
            job=json.dumps(bisection_job(_fig)),
            regime=json.dumps(config["stats"]["regime"]),
            runs_dir=lambda w, output: str(Path(output[0]).parent),  # bisect/<figure>/: the runs beside the lists
            checkpoint_dir=f"{RESULTS}/checkpoints/{_fig}",
            data_dir=data_dir,
            device=config["device"],
            checkpoint_every=SCALE_CFG[figure_base(_fig)].get("checkpoint_every", config["checkpoint_every"]),
            progress_every=config["progress_every_s"],
            shards=_shards,
        threads: SCALE_CFG[figure_base(_fig)]["threads"]
        priority: STACK_PRIORITY
        log:
            f"{RESULTS}/logs/train/{_fig}_bisection{{shard}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{_fig}_bisection{{shard}}.tsv",
        shell:
            "{params.python:q} scripts/edge_bisection.py --job {params.job:q} --regime {params.regime:q}"
            " --runs-dir {params.runs_dir:q} --checkpoint {params.checkpoint_dir:q} --threads {threads}"
            " --device {params.device} --data-dir {params.data_dir:q} --checkpoint-every {params.checkpoint_every}"
            " --progress-every {params.progress_every} --shard {wildcards.shard} --shards {params.shards}"
            " --out {output:q} > {log:q} 2>&1"

    rule:
        name:
            f"reads_{_fig}"
        input:
            [f"{RESULTS}/bisect/{_fig}/shard{i}.json" for i in range(_shards)],
        output:
            f"{RESULTS}/reads/{_fig}.json",
        localrule: True
        log:
            f"{RESULTS}/logs/reads/{_fig}.log",
        run:
            write_json(output[0], [entry for f in input for entry in json.loads(Path(f).read_text())])
