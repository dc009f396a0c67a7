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
    log:
        f"{RESULTS}/logs/train/{{run}}.log",
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
        log:
            f"{RESULTS}/logs/train/{_batch}.log",
        shell:
            TRAIN_CMD
