package io.twlab.advise.evidence;

/**
 * How a counter moved over the observation: the first and last readings, the seconds between them (0 when only
 * one reading exists, or the readings carry no time), and where each was read.
 */
public record CounterChange(String counter, long first, long last, double seconds, String firstSource,
                            String lastSource) {
    public long delta() {
        return last - first;
    }

    /** Increments per second, or -1 without two timed readings. */
    public double perSecond() {
        return seconds > 0 ? delta() / seconds : -1;
    }

    public boolean rising() {
        return seconds > 0 && delta() > 0;
    }

    /** Moved during the observation, or (one reading) above zero since boot: something a rule should look at. */
    public boolean showsEvents() {
        return last > 0 && (seconds == 0 || delta() > 0);
    }

    public String sources() {
        return seconds > 0 ? firstSource + " -> " + lastSource : lastSource;
    }
}
