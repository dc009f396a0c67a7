"""Our studies beyond the paper, one module each, named by what it studies (not numbered like the
paper's figures): ``spike_mechanism`` (what precedes a spike), ``divergence_edge`` (where divergence
begins in the (a, b) plane), ``lr_decay`` (learning-rate decay and the spikes), ``batch_size``
(mini-batches and the spikes) and ``fig08_reduction`` (what the cpu scale's reduction of Fig 8
changes). Each has the interface of a figure module (:mod:`adamdyn.registry`)."""
