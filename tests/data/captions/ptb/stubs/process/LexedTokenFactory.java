package edu.stanford.nlp.process;

/** Makes a token from the matched text (stand-in for CoreNLP's interface of the same name). */
public interface LexedTokenFactory<T> {
  T makeToken(String str, int begin, int length);
}
