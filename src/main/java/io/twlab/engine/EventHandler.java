package io.twlab.engine;

/**
 * A model element that receives events. {@code kind} selects the action inside the element (a switch, not a
 * lambda per event); {@code arg} and {@code payload} carry its data.
 */
public interface EventHandler {
    void onEvent(Simulator sim, int kind, long arg, Object payload);
}
