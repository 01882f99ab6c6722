"""Command line: `python -m gan_keras {list,train,sample,evaluate,summary,translate} ...`.

    python -m gan_keras list
    python -m gan_keras train gan --dataset mnist --epochs 20 --out runs/gan
    python -m gan_keras train gan --steps 500 --out runs/gan --resume
    python -m gan_keras sample runs/gan -n 64 --out samples.npz
    python -m gan_keras evaluate runs/gan -n 2000
    python -m gan_keras train vae --epochs 100 --batch-size 100 --out runs/vae
    python -m gan_keras evaluate runs/vae --importance-samples 1000
    python -m gan_keras summary gan
    python -m gan_keras train wgan_gp --dataset gaussians25 --steps 10000 --out runs/toy
    python -m gan_keras train progan --steps 14000 --out runs/progan
    python -m gan_keras train cyclegan --dataset mnist_mnistm --batch-size 16 --epochs 20 --out runs/cyclegan
    python -m gan_keras evaluate runs/cyclegan
    python -m gan_keras sample runs/toy -n 1000 --out points.npz
    python -m gan_keras translate runs/cyclegan --input grey.npz --to b --out colour.npz

`train` writes DIR/model.keras (after every epoch, atomically: the model with
its optimisers and noise state, and the run's step counter and history inside
the same file), DIR/run.json (model, dataset, image shape, batch size, seed),
DIR/history.csv (one row per epoch, copied from the checkpoint),
DIR/samples.png (64 samples from fixed noise) and DIR/progress/epoch_NNNN.png.
The same --seed gives the same run (weights, data order, noise). `--resume`
continues from DIR/model.keras exactly where it stopped: a run interrupted
(even killed) and resumed ends with the same weights as one that ran
through; `--steps` and `--epochs` are then the run's totals ("continue to
N"), and the batch size and seed are the run's. A run holds DIR while it
trains (DIR/.lock); training stops at the first non-finite loss and keeps the
last finite checkpoint (see gan_keras.runs). For a likelihood model (the VAE)
`train` also reports the loss on the held-out split after every epoch
(`val_loss`, in nats).

A translation model (cyclegan) trains on a two-domain dataset (batches of
unpaired (a, b) images) with the paper's learning rate, constant for the
first half of the run's epochs and then decaying linearly to 0 (over the
epochs of this command's --steps / --epochs: resume with the same total for
the same schedule); its samples.png and progress grids show rows of
a, G(a), F(G(a)), b, F(b), G(F(b)) for held-out images, `translate` runs it
on a file of images, and `evaluate` measures on mnist_mnistm whether the
digits survive translation both ways (`gan_keras.metrics.translation`).

`evaluate` prints the sample-quality metrics as JSON and writes them to
DIR/metrics.json; for a likelihood model it adds the held-out negative ELBO
and the importance-weighted bound in nats (on the binarized held-out split
for Bernoulli models, binarized once with seed 0, so runs compare).

The toy datasets of 2-D points (gaussians8, gaussians25, swiss_roll) train
the GANs of `gan_keras.catalog.POINT_MODELS` on the WGAN-GP paper's toy
networks, with batch 256 by default; samples.png is then a scatter plot of
1,000 points over the real ones, `sample` writes `points` (N, 2), and
`evaluate` gives the modes covered and the share of high-quality points.
"""

import argparse
import json
import math
import os
import sys
from pathlib import Path

__all__ = ["main"]


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one clear line and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _npz_file(text):
    path = Path(text)
    if path.suffix != ".npz":
        raise argparse.ArgumentTypeError(f"expected a file name ending in .npz, got {text!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory; expected a file name ending in .npz")
    return path


def _parser():
    # Names only: Keras (and TensorFlow) load after the arguments are read.
    from gan_keras.catalog import DATASETS, MODEL_NAMES as MODELS

    parser = _OneLineParser(prog="python -m gan_keras", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    commands.add_parser("list", help="the available models and datasets")

    train = commands.add_parser("train", help="train a model and save it")
    train.add_argument("model", choices=list(MODELS), metavar="MODEL", help=f"one of {', '.join(MODELS)}")
    train.add_argument("--dataset", choices=list(DATASETS), metavar="NAME",
                       help="dataset (default: the model's usual one)")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_positive_int,
                        help="train until the run has done N batches in all (with --resume: continue to N)")
    length.add_argument("--epochs", type=_positive_int,
                        help="train until the run has done N epochs in all (default 10; with --resume: continue to N)")
    train.add_argument("--batch-size", type=_positive_int, default=None,
                       help="images per batch (default 64, 256 on the toy datasets; with --resume, the run's)")
    train.add_argument("--seed", type=int, default=None,
                       help="seed of the starting weights, the data order and the noise: the same seed gives "
                            "the same run (default 0; with --resume, the run's)")
    train.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    train.add_argument("--resume", action="store_true", help="continue from DIR/model.keras")
    train.add_argument("--offline", action="store_true", help="use the offline copy of the dataset")

    sample = commands.add_parser("sample", help="draw samples from a trained model")
    sample.add_argument("run_dir", type=Path, metavar="DIR", help="a directory written by `train`")
    sample.add_argument("-n", "--num-images", type=_positive_int, default=64, metavar="N",
                        help="images to draw (default 64)")
    sample.add_argument("--seed", type=int, default=None,
                        help="seed of the noise, for repeatable samples (default: new noise every run)")
    sample.add_argument("--label", type=int, default=None,
                        help="conditional models: the class of every image (default: all classes in turn)")
    sample.add_argument("--out", required=True, type=_npz_file, metavar="FILE.npz",
                        help="where to save `images` (N, H, W, C) float32 in [-1, 1] (and `labels`; "
                             "`points` (N, 2) for a run on a toy dataset)")

    evaluate = commands.add_parser("evaluate", help="sample-quality metrics of a trained model, as JSON")
    evaluate.add_argument("run_dir", type=Path, metavar="DIR", help="a directory written by `train`")
    evaluate.add_argument("-n", "--num-images", type=_positive_int, default=2000, metavar="N",
                          help="samples compared (the metrics depend on it; default 2000)")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="seed of the generated samples and the importance samples (default 0)")
    evaluate.add_argument("--importance-samples", type=_positive_int, default=1000, metavar="K",
                          help="samples per image of the importance-weighted bound (likelihood models)")

    translate = commands.add_parser("translate", help="translate images with a trained CycleGAN")
    translate.add_argument("run_dir", type=Path, metavar="DIR", help="a directory written by `train` (or its model.keras)")
    translate.add_argument("--input", required=True, type=_npz_file, metavar="IN.npz",
                           help="a file holding `images` (N, H, W, C) float32 in [-1, 1] of the run's image shape")
    translate.add_argument("--to", required=True, choices=["a", "b"],
                           help="the domain to translate into: b runs G (A -> B), a runs F (B -> A)")
    translate.add_argument("--out", required=True, type=_npz_file, metavar="OUT.npz",
                           help="where to save the translated `images`, float32 in [-1, 1]")

    summary = commands.add_parser("summary", help="print the Keras summaries of a model's networks")
    summary.add_argument("model", choices=list(MODELS), metavar="MODEL", help=f"one of {', '.join(MODELS)}")
    summary.add_argument("--dataset", choices=list(DATASETS), metavar="NAME",
                         help="build the networks for this dataset's image shape (default: the model's usual one)")
    return parser


# --------------------------------------------------------------------------- #
def _list(args):
    from gan_keras.data import DATASETS
    from gan_keras.models import MODELS

    print("Models:")
    for name, spec in MODELS.items():
        print(f"  {name:<34} {spec.description} (default dataset: {spec.default_dataset})")
    print("Datasets:")
    for name, spec in DATASETS.items():
        offline = f"; offline: {spec.offline_source}" if spec.offline_source else ""
        shape = "x".join(map(str, spec.image_shape))
        print(f"  {name:<34} {shape}, {spec.description}{offline}")


def _train(args):
    from gan_keras.runs import RunLock

    out = args.out
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; expected a directory for the run (new or to --resume).")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the run directory --out {out}: {error.strerror}.") from None
    if not os.access(out, os.W_OK):
        raise ValueError(f"cannot write to the run directory --out {out}: permission denied.")
    with RunLock(out):
        return _train_in(args, out)


def _train_in(args, out):
    """`train` on a directory this process holds."""
    import keras

    from gan_keras.callbacks import SampleGrid
    from gan_keras.data import (
        DATASETS,
        ArrayBatches,
        UnpairedBatches,
        batches_from_step,
        load_arrays,
        load_batches,
        load_unpaired_batches,
        to_model_range,
    )
    from gan_keras.models import MODELS, build_model
    from gan_keras.plotting import save_image_grid, save_points_plot
    from gan_keras.runs import RunCheckpoint, RunProgress, fit_through_segments, read_progress

    checkpoint_path, history_path, info_path = out / "model.keras", out / "history.csv", out / "run.json"
    resuming = checkpoint_path.exists()
    if resuming and not args.resume:
        raise ValueError(
            f"{checkpoint_path} exists already: pass --resume to continue that run, or choose another --out directory."
        )
    run_info = {"model": args.model, "dataset": args.dataset, "batch_size": args.batch_size, "seed": args.seed}
    if resuming:
        run_info = _resumed_run_info(info_path, run_info)
    dataset_name = run_info["dataset"] = run_info["dataset"] or MODELS[args.model].default_dataset
    image_shape = list(DATASETS[dataset_name].image_shape)
    if resuming:
        _resumed_run_info(info_path, {"image_shape": image_shape})
    run_info = {**run_info, "image_shape": image_shape}
    run_info["batch_size"] = run_info["batch_size"] or (256 if DATASETS[dataset_name].is_points else 64)
    run_info["seed"] = 0 if run_info["seed"] is None else run_info["seed"]
    batch_size, seed = run_info["batch_size"], run_info["seed"]

    # The same seed gives the same run: starting weights, data order and noise
    # (the data order also depends on the global seed, so it is set first).
    keras.utils.set_random_seed(seed)
    spec = MODELS[args.model]
    offline = True if args.offline else None
    # tf.data on TensorFlow; NumPy batches on JAX (no TensorFlow needed).

    two_domains = DATASETS[dataset_name].has_two_domains  # a translation model's (a, b) pairs

    def fresh_batches():  # tf.data reshuffles on from where an earlier pass over the same object left off
        if two_domains:
            return load_unpaired_batches(dataset_name, "train", batch_size, seed=seed, offline=offline)
        return load_batches(dataset_name, "train", batch_size, seed=seed, offline=offline, with_labels=spec.conditional)

    batches = fresh_batches()
    in_memory = isinstance(batches, (ArrayBatches, UnpairedBatches))
    steps_per_epoch = len(batches) if in_memory else int(batches.cardinality())

    if resuming:
        model = _load_model_file(checkpoint_path)
        progress = read_progress(checkpoint_path)
        print(f"Resuming {checkpoint_path} at step {progress.steps} (epoch {progress.epochs} complete).")
    else:
        model = build_model(
            args.model, DATASETS[dataset_name].image_shape, seed=seed, num_classes=DATASETS[dataset_name].num_classes
        )
        model.compile()
        progress = RunProgress()
        if two_domains:  # the preview translates the first held-out images of each domain
            model.set_preview_images(*(to_model_range(load_arrays(dataset_name, f"test{domain}", offline=offline)[0][:10])
                                       for domain in "AB"))
    info_path.write_text(json.dumps(run_info, indent=2) + "\n")  # only once the model is in hand

    # --steps and --epochs are totals for the run: with --resume, training
    # continues until the run has done that many.
    target_steps = args.steps or (args.epochs or 10) * steps_per_epoch
    if not resuming:
        model.plan_training(target_steps)  # ProGAN spreads its phases over the run
    if target_steps <= progress.steps:
        print(f"Nothing to do: the run has done {progress.steps} steps, the target is {target_steps}.")
        return 0

    validation_data = None
    if model.has_likelihood:
        images, labels = _held_out(model, dataset_name, offline)
        validation_data = (images, labels) if model.conditional else images
    checkpoint = RunCheckpoint(checkpoint_path, history_path, progress, steps_per_epoch)
    points = DATASETS[dataset_name].is_points  # a toy dataset: scatter plots of 1,000 points, not image grids
    grid = SampleGrid(num_images=1000 if points else 64, seed=seed, save_dir=out / "progress", show=False)
    try:
        segments = fit_through_segments(
            model,
            lambda start, num_steps: batches_from_step(fresh_batches(), start, num_steps),
            progress.steps,
            target_steps,
            steps_per_epoch,
            callbacks=[*model.schedule_callbacks(math.ceil(target_steps / steps_per_epoch)), checkpoint, grid],
            validation_data=validation_data,
            validation_batch_size=batch_size,
            verbose=1 if sys.stdout.isatty() else 2,
        )
        for _ in segments:
            if checkpoint.failure:
                raise RuntimeError(
                    f"{checkpoint.failure}. The last finite checkpoint ({checkpoint.saved_steps} steps) "
                    f"is kept in {checkpoint_path}."
                )
    except KeyboardInterrupt:
        print(
            f"\nInterrupted at step {progress.steps}. {checkpoint_path} holds the run at step "
            f"{checkpoint.saved_steps}; --resume continues from there."
        )
        return 130
    if points:
        real_points, _ = load_arrays(dataset_name, "test")
        samples_path = save_points_plot(model.preview(1000, seed=seed), out / "samples.png", real=real_points[:1000])
    else:
        samples_path = save_image_grid(model.preview(64, seed=seed), out / "samples.png",
                                       num_columns=getattr(model, "preview_columns", None))
    print(f"Model:   {checkpoint_path}")
    print(f"History: {history_path}")
    print(f"Samples: {samples_path}")
    return 0


_RESUME_MUST_MATCH = ("model", "dataset", "image_shape", "batch_size", "seed")


def _resumed_run_info(info_path, requested):
    """The recorded run, checked against what this command asks for.

    Options left out (batch size, seed) are taken from the run; anything
    given that differs from the run is refused before anything is written.
    """
    try:
        recorded = json.loads(info_path.read_text())
    except (OSError, ValueError):
        raise ValueError(f"cannot resume: {info_path} is missing or unreadable.") from None
    for key in _RESUME_MUST_MATCH:
        if key not in requested:
            continue
        if requested[key] is None:
            requested[key] = recorded.get(key)
        elif recorded.get(key) is not None and requested[key] != recorded[key]:
            option = {"model": "MODEL", "image_shape": "--dataset's image shape"}.get(key, "--" + key.replace("_", "-"))
            raise ValueError(
                f"cannot resume: the run in {info_path.parent} has {key} {recorded[key]!r}, "
                f"this command asks for {requested[key]!r} ({option}); resume with the run's settings or use another --out."
            )
    return requested


def _load_model_file(path):
    """keras.models.load_model with a one-line error for a file that is not a gan_keras model."""
    import zipfile

    import keras

    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a readable .keras file (not a zip archive); it may be truncated or corrupted.")
    try:
        model = keras.models.load_model(path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{path} is not a readable .keras file ({error}); it may be truncated or corrupted.") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path} could not be loaded as a gan_keras model: {str(error).splitlines()[0]}") from None
    if not hasattr(model, "preview"):
        raise ValueError(
            f"{path} holds a plain Keras {type(model).__name__}, not a gan_keras model; expected a file written by `train`."
        )
    return model


def _load_run(run_dir):
    import keras

    path = run_dir / "model.keras" if run_dir.is_dir() else run_dir
    if not path.exists():
        raise SystemExit(f"No trained model at {path}: expected a directory written by `train`.")
    from gan_keras.runs import check_finite_weights

    model = _load_model_file(path)
    check_finite_weights(model)  # a diverged model's samples and scores mean nothing
    return model


def _sample(args):
    import numpy as np

    model = _load_run(args.run_dir)
    if not hasattr(model, "generate"):
        raise ValueError(f"{args.run_dir} holds a {type(model).__name__}, which translates images and draws none; "
                         "use `python -m gan_keras translate` on it.")
    num_classes = model.num_classes if model.conditional else None
    if args.label is not None:
        if not num_classes:
            raise ValueError(f"--label needs a conditional model; {args.run_dir} holds a {type(model).__name__}.")
        if not 0 <= args.label < num_classes:
            raise ValueError(f"--label must lie in [0, {num_classes}). Received: {args.label}")
    if num_classes:
        labels = np.arange(args.num_images) % num_classes if args.label is None else np.full(args.num_images, args.label)
        images = model.generate(args.num_images, seed=args.seed, labels=labels)
        arrays = {"images": images.astype("float32"), "labels": labels.astype("int64")}
    else:
        images = model.generate(args.num_images, seed=args.seed)
        arrays = {"images": images.astype("float32")}
    points = images.ndim == 2  # a model of a toy dataset's 2-D points
    what = "points" if points else "images"
    if points:
        arrays = {"points": arrays.pop("images")}
    if not np.all(np.isfinite(images)):
        raise RuntimeError(f"the model in {args.run_dir} drew non-finite {what} (NaN or infinity); nothing was written.")
    _write_npz(args.out, **arrays)
    if points:
        print(f"Wrote {len(images)} points (N, 2) to {args.out} (key 'points')")
        return 0
    what = "images and their labels" if num_classes else "images"
    print(f"Wrote {len(images)} {what} {images.shape[1:]} in [-1, 1] to {args.out}")
    return 0


def _write_npz(path, **arrays):
    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as file:  # a file object: np.savez would add ".npz" to a name
            np.savez(file, **arrays)
    except OSError as error:
        raise ValueError(f"cannot write --out {path}: {error.strerror}.") from None


def _translate(args):
    import zipfile

    import numpy as np

    from gan_keras.pixels import check_model_range

    model = _load_run(args.run_dir)
    if not hasattr(model, "translate"):
        raise ValueError(f"{args.run_dir} holds a {type(model).__name__}, which does not translate; "
                         "expected a run of a translation model (cyclegan).")
    try:
        with np.load(args.input) as stored:
            if "images" not in stored:
                raise ValueError(f"--input {args.input} has no `images` array (it holds: {', '.join(stored) or 'nothing'}).")
            images = stored["images"]
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"cannot read --input {args.input} as an .npz file: {error}.") from None
    check_model_range(images, f"the images of --input {args.input}")
    translated = model.translate(images, to=args.to)
    if not np.all(np.isfinite(translated)):
        raise RuntimeError(f"the model in {args.run_dir} made non-finite images (NaN or infinity); nothing was written.")
    _write_npz(args.out, images=translated.astype("float32"))
    mapping = "G: A -> B" if args.to == "b" else "F: B -> A"
    print(f"Wrote {len(translated)} images {translated.shape[1:]} translated by {mapping}, in [-1, 1], to {args.out}")
    return 0


_MNIST_METRIC_DATASETS = ("mnist", "mnist32", "digits")
_TOY_METRIC_DATASETS = ("gaussians8", "gaussians25")  # the swiss roll has no modes to count


def _held_out(model, dataset_name, offline=None):
    """The held-out split for likelihood evaluation: (images, labels).

    Bernoulli models are scored on binary pixels: the grey test images
    binarized once with seed 0, the same for every run.
    """
    from gan_keras.data import DATASETS, binarize, load_arrays, to_model_range

    split = "test" if "test" in DATASETS[dataset_name].splits else DATASETS[dataset_name].splits[-1]
    images, labels = load_arrays(dataset_name, split, offline=offline)
    images = to_model_range(images)
    if getattr(model, "likelihood", None) == "bernoulli":
        images = binarize(images, seed=0)
    return images, labels


def _evaluate(args):
    import numpy as np

    from gan_keras.data import load_arrays, to_model_range
    from gan_keras.metrics import control_metrics, evaluate_mnist_samples, load_mnist_classifier

    model = _load_run(args.run_dir)
    run_file = args.run_dir / "run.json"
    dataset_name = json.loads(run_file.read_text())["dataset"] if run_file.exists() else "mnist"
    if dataset_name in _TOY_METRIC_DATASETS:
        return _evaluate_points(model, dataset_name, args)
    if hasattr(model, "translate"):
        return _evaluate_translation(model, dataset_name, args)
    is_likelihood_model = model.has_likelihood
    if dataset_name not in _MNIST_METRIC_DATASETS and not is_likelihood_model:
        raise ValueError(
            f"`evaluate` computes the MNIST metrics, for runs on {', '.join(_MNIST_METRIC_DATASETS)}, and the "
            f"modes covered, for runs on {', '.join(_TOY_METRIC_DATASETS)}; this run used {dataset_name!r}."
        )
    results = {"dataset": dataset_name}
    if is_likelihood_model:
        images, labels = _held_out(model, dataset_name)
        labels = labels if model.conditional else None
        results["held_out_nats"] = model.likelihood_report(
            images, labels, num_samples=args.importance_samples, seed=args.seed
        )
    if dataset_name in _MNIST_METRIC_DATASETS:
        real_images, _ = load_arrays(dataset_name, "train")
        real_images = to_model_range(real_images[np.random.default_rng(0).permutation(len(real_images))])
        count = args.num_images
        if count > len(real_images):
            raise ValueError(
                f"-n {count} is more than the {len(real_images)} real {dataset_name!r} images to compare "
                f"with; use -n {len(real_images)} or fewer."
            )
        classifier = load_mnist_classifier()
        results.update(evaluate_mnist_samples(
            model.generate(count, seed=args.seed), real_images[:count], classifier=classifier
        ))
        test_images, test_labels = load_arrays(dataset_name, "test")
        results.update(control_metrics(
            model, to_model_range(test_images), test_labels, num_samples=count, seed=args.seed, classifier=classifier
        ))
        if 2 * count <= len(real_images):
            # The same metrics for real images at the same N: the ceiling.
            results["real_data"] = evaluate_mnist_samples(
                real_images[count : 2 * count], real_images[:count], classifier=classifier
            )
    return _report(args.run_dir, results)


def _report(run_dir, results):
    """`evaluate`'s results: printed as JSON and written to DIR/metrics.json."""
    text = json.dumps(results, indent=2)
    (run_dir / "metrics.json").write_text(text + "\n")
    print(text)
    return 0


def _evaluate_points(model, dataset_name, args):
    """Modes covered and the high-quality share of N generated points (`metrics.toy_mode_coverage`)."""
    from gan_keras.data import toy_modes
    from gan_keras.metrics import toy_mode_coverage

    modes = toy_modes(dataset_name)
    results = {"dataset": dataset_name, "num_points": args.num_images, "num_modes": len(modes.centres)}
    results.update(toy_mode_coverage(model.generate(args.num_images, seed=args.seed), *modes))
    return _report(args.run_dir, results)


def _evaluate_translation(model, dataset_name, args):
    """Label survival both ways, cycle error and Fréchet distances on the held-out
    `mnist_mnistm` images (`metrics.translation_metrics`)."""
    import numpy as np

    from gan_keras.data import load_arrays, to_model_range
    from gan_keras.metrics import translation_metrics

    if dataset_name != "mnist_mnistm":
        raise ValueError(f"`evaluate` measures translations on mnist_mnistm, whose two domains have digit labels; "
                         f"this run used {dataset_name!r} (translate its images with `python -m gan_keras translate`).")
    (images_a, labels_a), (images_b, labels_b) = (load_arrays(dataset_name, f"test{domain}") for domain in "AB")
    count = min(args.num_images, len(images_a), len(images_b))
    results = {"dataset": dataset_name}
    results.update(translation_metrics(model, to_model_range(images_a[:count]), labels_a[:count],
                                       to_model_range(images_b[:count]), labels_b[:count]))
    if not all(np.isfinite(value) for value in results.values() if isinstance(value, float)):
        raise RuntimeError(f"the translations of {args.run_dir} gave non-finite metrics; nothing was written.")
    return _report(args.run_dir, results)


def _summary(args):
    import keras

    from gan_keras.data import DATASETS
    from gan_keras.models import MODELS, build_model

    dataset_name = args.dataset or MODELS[args.model].default_dataset
    model = build_model(args.model, DATASETS[dataset_name].image_shape)
    for network in model.layers:
        if isinstance(network, keras.Model):
            network.summary()
    return 0


def _check_model_fits_dataset(parser, args):
    """A model that makes images cannot train on points, and a translation
    model needs two domains (and only it does): said before Keras loads."""
    from gan_keras.catalog import DATASETS, POINT_MODELS, TRANSLATION_MODELS

    dataset = getattr(args, "dataset", None)
    if not dataset:
        return
    if DATASETS[dataset].is_points and args.model not in POINT_MODELS:
        parser.error(f"{args.model} makes images; --dataset {dataset} (2-D points) trains {', '.join(POINT_MODELS)}")
    two_domain_datasets = ", ".join(name for name, spec in DATASETS.items() if spec.has_two_domains)
    if args.model in TRANSLATION_MODELS and not DATASETS[dataset].has_two_domains:
        parser.error(f"{args.model} translates between two domains; --dataset {dataset} has one. "
                     f"Expected one of: {two_domain_datasets}")
    if DATASETS[dataset].has_two_domains and args.model not in TRANSLATION_MODELS:
        parser.error(f"--dataset {dataset} holds two unpaired domains, for {', '.join(TRANSLATION_MODELS)}; "
                     f"{args.model} trains on one domain's images")


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    _check_model_fits_dataset(parser, args)
    handlers = {"list": _list, "train": _train, "sample": _sample, "evaluate": _evaluate, "summary": _summary,
                "translate": _translate}
    try:
        import gan_keras

        gan_keras.load()  # Keras, the backend and the package's registered models
        return handlers[args.command](args) or 0
    except KeyboardInterrupt:
        print(f"python -m gan_keras {args.command}: interrupted.", file=sys.stderr)
        return 130
    except (ValueError, RuntimeError) as error:
        # Bad input reaching the library (e.g. a batch larger than the data, a
        # dataset that needs the internet): one line, non-zero exit.
        print(f"python -m gan_keras {args.command}: error: {error}", file=sys.stderr)
        return 1
