package edu.stanford.nlp.process;

/** Stand-in: reached only with the "americanize" option, which is off in 3.4.1 unless asked for. */
public class Americanize {
  public static String americanize(String s) {
    throw new IllegalStateException("americanize is off in pycocoevalcap's PTBTokenizer run");
  }
}
