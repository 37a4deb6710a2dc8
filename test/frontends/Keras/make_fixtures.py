"""Makes the Keras fixtures of test/frontends/Keras: models saved by Keras
itself, the inputs they were run on, their predictions, and their
predictions after two more training steps, which mlc must reproduce.

Needs Keras 3 (with the TensorFlow or JAX backend), numpy and, for the
Keras 2 .h5 fixture, tf_keras; none of them is needed to run the tests:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install keras tensorflow tf_keras
    /tmp/kv/bin/python test/frontends/Keras/make_fixtures.py

Each fixture NAME gets NAME.keras (or .h5), NAME.x.npy (inputs),
NAME.pred.npy (Keras's predictions), and, for trained ones, NAME.train.npz
(one batch x, y) and NAME.after.npy (predictions after training two steps
on that batch, in one batch, so the order of samples does not matter)."""

import gzip
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Inputs")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def mnist(n_train, n_test):
    def images(name, n):
        with gzip.open(os.path.join(ROOT, "data/mnist", name)) as f:
            return np.frombuffer(f.read(), np.uint8, offset=16)[:n * 784] \
                .reshape(n, 28, 28).astype("float32") / 255

    def labels(name, n):
        with gzip.open(os.path.join(ROOT, "data/mnist", name)) as f:
            return np.frombuffer(f.read(), np.uint8, offset=8)[:n] \
                .astype("int64")
    return (images("train-images-idx3-ubyte.gz", n_train),
            labels("train-labels-idx1-ubyte.gz", n_train),
            images("t10k-images-idx3-ubyte.gz", n_test))


def save(name, model, x, ext=".keras", train=None):
    """Saves `model`, its predictions on `x`, and with `train` = (x, y)
    the predictions after two full-batch steps on it."""
    path = os.path.join(OUT, name)
    model.save(path + ext)
    np.save(path + ".x.npy", x.astype("float32"))
    np.save(path + ".pred.npy", model.predict(x, verbose=0)
            .astype("float32"))
    if train is not None:
        tx, ty = train
        np.savez(path + ".train.npz", x=tx.astype("float32"), y=ty)
        model.fit(tx, ty, batch_size=len(tx), epochs=2, shuffle=False,
                  verbose=0)
        np.save(path + ".after.npy", model.predict(x, verbose=0)
                .astype("float32"))


def keras3():
    import keras
    from keras import layers

    # The seed's script: its Keras MNIST model, trained (one epoch on 2048
    # images here, to keep the fixture small in time, not in weights).
    keras.utils.set_random_seed(1)
    x, y, xt = mnist(2048, 16)
    model = keras.Sequential([
        keras.Input((28, 28)), layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    save("seed_mlp", model, xt, train=(x[:32], y[:32]))

    rng = np.random.default_rng(0)

    # Dense layers and activations; SGD with Nesterov momentum, one-hot
    # labels and categorical cross-entropy.
    keras.utils.set_random_seed(2)
    model = keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="tanh"),
        layers.Dense(8, use_bias=False),
        layers.Activation("sigmoid"),
        layers.Dense(8), layers.ReLU(),
        layers.Dense(4), layers.Softmax()])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9,
                                                 nesterov=True),
                  loss="categorical_crossentropy")
    tx = rng.normal(size=(16, 6)).astype("float32")
    ty = np.eye(4, dtype="float32")[rng.integers(0, 4, 16)]
    model.fit(tx, ty, batch_size=16, epochs=1, verbose=0)
    save("dense_sgd", model, rng.normal(size=(5, 6)), train=(tx, ty))

    # Convolutions, pooling, batch norm, dropout; RMSprop (centered, with
    # momentum), binary cross-entropy from logits.
    keras.utils.set_random_seed(3)
    inputs = keras.Input((9, 9, 2))
    h = layers.Conv2D(4, 3, padding="same", strides=2, activation="relu")(
        inputs)
    h = layers.BatchNormalization(momentum=0.9)(h)
    h = layers.DepthwiseConv2D(2, depth_multiplier=2)(h)
    h = layers.MaxPooling2D(2, strides=1)(h)
    h = layers.AveragePooling2D(2, padding="same")(h)
    h = layers.GlobalAveragePooling2D()(h)
    h = layers.Dense(1)(h)
    model = keras.Model(inputs, h, name="convnet")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2, momentum=0.5,
                                                     centered=True),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    tx = rng.normal(size=(8, 9, 9, 2)).astype("float32")
    ty = rng.integers(0, 2, (8, 1)).astype("float32")
    model.fit(tx, ty, batch_size=8, epochs=1, verbose=0)
    save("convnet_rmsprop", model, rng.normal(size=(3, 9, 9, 2)),
         train=(tx, ty))

    # A Functional residual block with dropout; AdamW and MSE.
    keras.utils.set_random_seed(4)
    inputs = keras.Input((5,))
    h = layers.Dense(5, activation="relu")(inputs)
    h = layers.Dropout(0.25)(h)
    h = layers.Add()([inputs, h])
    out = layers.Dense(2)(h)
    model = keras.Model(inputs, out, name="residual")
    model.compile(optimizer=keras.optimizers.AdamW(1e-2), loss="mse")
    save("residual_adamw", model, rng.normal(size=(4, 5)))

    # Reshape layers around a convolution (a -1 size inferred).
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input((784,)), layers.Reshape((28, 28, 1)),
        layers.Conv2D(2, 3), layers.Reshape((-1, 2)), layers.Flatten(),
        layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    save("reshape_sgd", model, np.random.rand(2, 784))

    # What mlc refuses: an LSTM layer.
    model = keras.Sequential([keras.Input((3, 2)), layers.LSTM(2)])
    model.save(os.path.join(OUT, "unsupported_lstm.keras"))


def keras2():
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(4, 3)),
        keras.layers.Dense(6, activation="relu"),
        keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy")
    tx = rng.normal(size=(12, 4, 3)).astype("float32")
    ty = rng.integers(0, 3, 12)
    model.fit(tx, ty, batch_size=12, epochs=1, verbose=0)
    save("keras2_mlp", model, rng.normal(size=(4, 4, 3)), ext=".h5",
         train=(tx, ty))

    # The same file as older Keras 2 versions wrote it: no InputLayer, the
    # input shape on the first layer (batch_input_shape).
    import h5py
    import json
    import shutil
    shutil.copy(os.path.join(OUT, "keras2_mlp.h5"),
                os.path.join(OUT, "keras2_no_input_layer.h5"))
    with h5py.File(os.path.join(OUT, "keras2_no_input_layer.h5"), "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"] = [
            l for l in config["config"]["layers"]
            if l["class_name"] != "InputLayer"]
        f.attrs["model_config"] = json.dumps(config)

    # A Keras 2 Functional model: a residual convolution block with batch
    # norm; RMSprop (centered, momentum) and categorical cross-entropy.
    keras.utils.set_random_seed(6)
    inputs = keras.Input((6, 6, 2))
    h = keras.layers.Conv2D(2, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Add()([inputs, h])
    h = keras.layers.GlobalAveragePooling2D()(h)
    out = keras.layers.Dense(3, activation="softmax")(h)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2, momentum=0.5,
                                                     centered=True),
                  loss="categorical_crossentropy")
    tx = rng.normal(size=(10, 6, 6, 2)).astype("float32")
    ty = np.eye(3, dtype="float32")[rng.integers(0, 3, 10)]
    model.fit(tx, ty, batch_size=10, epochs=1, verbose=0)
    save("keras2_functional", model, rng.normal(size=(3, 6, 6, 2)),
         ext=".h5", train=(tx, ty))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if "keras2" in sys.argv[1:]:
        keras2()
    else:
        keras3()
        # tf_keras and Keras 3 do not share a process well.
        os.execv(sys.executable, [sys.executable, __file__, "keras2"])
