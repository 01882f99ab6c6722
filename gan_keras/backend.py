"""The one place that knows which Keras backend trains the models.

Every train step of the package is written once, in the ordinary stateful
Keras style: call the networks, compute a loss with `keras.ops`, ask this
module for the gradients, call `optimizer.apply`, update the metrics. Only
the functions below differ between backends:

* `value_and_gradients(loss_fn, variables)`: the value of a loss and its
  gradient with respect to some weights (TensorFlow: `tf.GradientTape`;
  JAX: `jax.value_and_grad` of the loss as a function of those weights).
* `input_gradients(fn, inputs)`: the gradient of `sum(fn(inputs))` with
  respect to the inputs, itself differentiable, for gradient penalties.
* `run_if(condition, update)`: run a function that updates variables only
  when a traced condition holds (k discriminator steps per generator step).
* `stateful_step(model, step, args)`: what `train_step` / `test_step` call.
  TensorFlow passes the batch and lets the step update the variables; JAX
  passes `(state, batch)` and expects the new state back. There the step
  runs inside a `keras.StatelessScope` that maps every variable of the
  trainer's state to its value, and the new state is read back from it.
* `compiled(fn, variables)`: a function compiled once for repeated inference
  (PixelCNN's one network pass per pixel) that reads the *current* weights on
  every call (on JAX they are passed as arguments, not baked in).

On JAX a variable that is not part of the trainer's state (trainable, non-
trainable, optimiser and metric variables) reads as a stale value inside the
step, so every piece of state a model keeps must be a Keras variable that
the model tracks. A third backend (PyTorch) would touch only this file.
"""

import keras
from keras.src.backend.common.stateless_scope import get_stateless_scope

__all__ = [
    "compiled",
    "has_gpu",
    "input_gradients",
    "run_if",
    "stateful_step",
    "value_and_gradients",
    "xla_is_slow_for_loops_and_conditions",
]


def _backend():
    return keras.config.backend()


def _check_supported():
    if _backend() not in ("tensorflow", "jax"):
        raise RuntimeError(
            f"gan_keras trains on the TensorFlow and JAX backends of Keras. Received KERAS_BACKEND={_backend()!r}: "
            "set KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax."
        )


def has_gpu():
    """Whether the current backend computes on a GPU."""
    if _backend() == "jax":
        import jax

        return jax.default_backend() == "gpu"
    if _backend() == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    return False


def xla_is_slow_for_loops_and_conditions():
    """Whether XLA makes a step slower than running it without XLA when the
    step holds a long unrolled Python loop or an update under `run_if`.

    Measured true for TensorFlow on a CPU, where XLA's CPU convolutions are
    slow inside a `tf.cond` and on long unrolled graphs: a Diagonal BiLSTM
    step took 3.1 s with XLA and 0.54 s without; with DCGAN's networks at
    batch 64 on 2 cores, a WGAN critic step 293 ms with XLA and 57 ms without
    and a WGAN-GP step 290 ms and 88 ms (the DCGAN step, with no condition,
    110 ms with XLA and 146 ms without). False for JAX on a CPU, which without
    jit runs op by op (a Row LSTM step 1.6-1.8 s against 0.6 s with jit), and
    not measured on a GPU (XLA kept on there).
    """
    return _backend() == "tensorflow" and not has_gpu()


# --------------------------------------------------------------------------- #
# JAX helpers: nested stateless scopes that share the step's variable values
# --------------------------------------------------------------------------- #
def _scope_values():
    """The value of every variable mapped by the current stateless scope (JAX, inside a step)."""
    scope = get_stateless_scope()
    return {} if scope is None else dict(scope.state_mapping)


class _Scope(keras.StatelessScope):
    """A stateless scope that also remembers which variable each update is for."""

    def __init__(self, values):
        super().__init__()
        self.state_mapping = dict(values)
        self.updated = {}

    def add_update(self, update):
        variable, value = update
        self.updated[id(variable)] = variable
        super().add_update(update)


def _run_with_values(fn, values):
    """Runs `fn()` in a stateless scope mapping variable ids to `values`;
    returns fn's result, the scope's mapping afterwards and the updated variables."""
    with _Scope(values) as scope:
        result = fn()
    return result, scope.state_mapping, scope.updated


def _write_back(values, variables):
    """New values of variables: recorded in the step's stateless scope, or
    assigned to the variables when called outside a compiled step."""
    scope = get_stateless_scope()
    if scope is not None:
        scope.state_mapping.update(values)
        return
    for key, value in values.items():
        variables[key].assign(value)


# --------------------------------------------------------------------------- #
# The seam
# --------------------------------------------------------------------------- #
def value_and_gradients(loss_fn, variables):
    """`loss_fn()` returns `(loss, aux)`; returns `(loss, aux, gradients)`, the
    gradients of the scalar `loss` with respect to `variables` (in order).

    Variables that `loss_fn` updates (BatchNorm statistics, random seeds,
    metrics) keep their new values, as after an ordinary call.
    """
    _check_supported()
    variables = list(variables)
    if _backend() == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss, aux = loss_fn()
        return loss, aux, tape.gradient(loss, variables)

    import jax

    before = _scope_values()
    if not before:  # outside a compiled step: the variables hold their values
        before = {id(v): v.value for v in variables}
    differentiated = [id(v) for v in variables]

    updated_variables = {}

    def loss_of(weights):
        values = {**before, **dict(zip(differentiated, weights))}
        (loss, aux), after, updated = _run_with_values(loss_fn, values)
        updated_variables.update(updated)
        updates = {key: after[key] for key in updated if key not in differentiated}
        return loss, (aux, updates)

    (loss, (aux, updates)), gradients = jax.value_and_grad(loss_of, has_aux=True)([before[key] for key in differentiated])
    _write_back(updates, updated_variables)
    return loss, aux, list(gradients)


def input_gradients(fn, inputs):
    """The gradient of `sum(fn(inputs))` with respect to `inputs` (same shape).

    Differentiable again, so a loss may contain it (WGAN-GP's penalty on the
    critic's gradient norm). Variables that `fn` would update are left as
    they were: call networks in `fn` with `training=False` or without state.
    """
    _check_supported()
    if _backend() == "tensorflow":
        import tensorflow as tf

        inputs = tf.convert_to_tensor(inputs)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = tf.reduce_sum(fn(inputs))
        return tape.gradient(total, inputs)

    import jax
    from keras import ops

    before = _scope_values()

    def total_of(x):
        outputs, _, _ = _run_with_values(lambda: fn(x), before)
        return ops.sum(outputs)

    return jax.grad(total_of)(inputs)


def run_if(condition, update):
    """Runs `update()` (which assigns variables and returns nothing) if the
    scalar boolean tensor `condition` is true, inside a compiled step too.

    A plain Python bool decides at once, and nothing conditional is compiled:
    pass one whenever the answer is known before tracing. A compiled
    condition costs much on a CPU: XLA's CPU convolutions inside a
    conditional ran about 7 times slower here (a DCGAN step 2.1 s of CPU time
    against 0.3 s, on TensorFlow and on JAX alike).
    """
    _check_supported()
    if isinstance(condition, bool):
        if condition:
            update()
        return
    if _backend() == "tensorflow":
        import tensorflow as tf

        def taken():
            update()
            return tf.constant(True)

        tf.cond(condition, taken, lambda: tf.constant(False))
        return

    import jax

    before = _scope_values()
    if not before:  # eager, outside a step
        if bool(condition):
            update()
        return
    keys = list(before)

    def taken(values):
        _, after, _ = _run_with_values(update, dict(zip(keys, values)))
        return [after[key] for key in keys]

    after = jax.lax.cond(condition, taken, lambda values: values, [before[key] for key in keys])
    _write_back(dict(zip(keys, after)), {})


def _state_groups(model, training):
    groups = [model.trainable_variables, model.non_trainable_variables]
    if training:
        groups.append(model.optimizer.variables)
    groups.append(model.metrics_variables)
    return groups


def stateful_step(model, step, args, training):
    """Runs the stateful `step(data)` as `model.train_step` (training=True) or
    `model.test_step` on the current backend; `args` are train_step's."""
    _check_supported()
    if _backend() != "jax":
        (data,) = args
        return step(data)
    state, data = args
    groups = _state_groups(model, training)
    values = {}
    for variables, group_values in zip(groups, state):
        values.update({id(v): value for v, value in zip(variables, group_values)})
    logs, after, _ = _run_with_values(lambda: step(data), values)
    new_state = tuple([after[id(v)] for v in variables] for variables in groups)
    return logs, new_state


def compiled(fn, variables):
    """`fn(*tensors)` compiled once, reading the current values of
    `variables` (the weights it uses) at every call."""
    _check_supported()
    if _backend() == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True)

    import jax

    variables = list(variables)

    @jax.jit
    def with_weights(weights, *args):
        result, _, _ = _run_with_values(lambda: fn(*args), {id(v): w for v, w in zip(variables, weights)})
        return result

    def call(*args):
        return with_weights([v.value for v in variables], *args)

    return call
