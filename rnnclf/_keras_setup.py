"""Environment set-up that must happen before TensorFlow/Keras is imported.

rnnclf targets Keras 3 on the TensorFlow backend; the compiled inference and
attribution paths use ``tf.function``. TensorFlow's C++ start-up chatter is
silenced unless the user asked for it.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
