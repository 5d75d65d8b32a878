"""Keras's standard architectures (``keras.applications``), built from jnn layers.

Every constructor takes Keras's arguments (``include_top``, ``weights``, ``input_tensor``,
``input_shape``, ``pooling``, ``classes``, ``classifier_activation``) and returns a functional
model whose layer names, weight names, shapes and order are Keras 3's, so Keras's weight files
(``weights="imagenet"`` downloads them once through :func:`jnn.utils.get_file`, cached under
``$JNN_HOME/models``; ``$JNN_APPLICATIONS_BASE_URL`` selects a mirror) and weights saved from
Keras load unchanged. Each family module has its ``preprocess_input`` and
``decode_predictions``.

Example:
    >>> from jnn import applications
    >>> base = applications.ResNet50(weights=None, include_top=False, pooling="avg",
    ...                              input_shape=(32, 32, 3))
    >>> base.output_shape
    (None, 2048)
"""

from jnn.applications import imagenet_utils
from jnn.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from jnn.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from jnn.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from jnn.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from jnn.applications.inception_resnet_v2 import InceptionResNetV2
from jnn.applications.inception_v3 import InceptionV3
from jnn.applications.mobilenet import MobileNet
from jnn.applications.mobilenet_v2 import MobileNetV2
from jnn.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from jnn.applications.nasnet import NASNetLarge, NASNetMobile
from jnn.applications.resnet import ResNet50, ResNet101, ResNet152
from jnn.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from jnn.applications.vgg16 import VGG16
from jnn.applications.vgg19 import VGG19
from jnn.applications.xception import Xception

__all__ = [
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "DenseNet121",
    "DenseNet169",
    "DenseNet201",
    "EfficientNetB0",
    "EfficientNetB1",
    "EfficientNetB2",
    "EfficientNetB3",
    "EfficientNetB4",
    "EfficientNetB5",
    "EfficientNetB6",
    "EfficientNetB7",
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "InceptionResNetV2",
    "InceptionV3",
    "MobileNet",
    "MobileNetV2",
    "MobileNetV3Large",
    "MobileNetV3Small",
    "NASNetLarge",
    "NASNetMobile",
    "ResNet50",
    "ResNet50V2",
    "ResNet101",
    "ResNet101V2",
    "ResNet152",
    "ResNet152V2",
    "VGG16",
    "VGG19",
    "Xception",
    "imagenet_utils",
]
