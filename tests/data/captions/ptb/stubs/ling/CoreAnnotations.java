package edu.stanford.nlp.ling;

/** Stand-in: the annotation keys PTBLexer names on its invertible path. */
public class CoreAnnotations {
  public static class OriginalTextAnnotation {}
  public static class BeforeAnnotation {}
  public static class AfterAnnotation {}
}
