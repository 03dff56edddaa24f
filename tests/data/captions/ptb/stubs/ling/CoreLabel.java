package edu.stanford.nlp.ling;

/** Stand-in for CoreNLP's token class: the text, plus set() for the invertible path (never taken here). */
public class CoreLabel {
  private String text;
  public CoreLabel(String text) { this.text = text; }
  public String word() { return text; }
  public <V> void set(Class<?> key, V value) { throw new IllegalStateException("invertible is off"); }
}
