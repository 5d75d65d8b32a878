"""The Keras-shaped, stateful ring: models, graph, engine, callbacks, data, saving."""
