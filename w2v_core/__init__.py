"""w2v_core: word2vec training, reference losses, word vectors and their file formats."""

__version__ = "0.1.0"
