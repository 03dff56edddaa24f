package edu.stanford.nlp.process;

import edu.stanford.nlp.ling.CoreLabel;

/** Stand-in: only named by PTBLexer's "invertible" check, which pycocoevalcap's options never reach. */
public class CoreLabelTokenFactory implements LexedTokenFactory<CoreLabel> {
  public CoreLabel makeToken(String str, int begin, int length) { return new CoreLabel(str); }
}
