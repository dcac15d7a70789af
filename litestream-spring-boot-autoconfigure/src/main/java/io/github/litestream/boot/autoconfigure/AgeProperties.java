package io.github.litestream.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

/**
 * Client-side encryption of one replica with age, as Litestream v0.3.10+ configures it under
 * a replica's {@code age:} key. {@link #toString()} never shows the identities.
 */
public class AgeProperties {

	/**
	 * Public keys (age1..., as age-keygen prints them) every new snapshot and WAL segment is
	 * encrypted to; setting one turns encryption on.
	 */
	private List<String> recipients = new ArrayList<>();

	/**
	 * Secret keys (AGE-SECRET-KEY-1...) tried in turn to decrypt objects, for restores and
	 * validation; after a key rotation, keep the old ones until their objects are gone.
	 */
	private List<String> identities = new ArrayList<>();

	/**
	 * Files holding identities as age-keygen writes them (one per line, # comments), such as
	 * secrets mounted into a container; used with the identities.
	 */
	private List<String> identityFiles = new ArrayList<>();

	public List<String> getRecipients() {
		return this.recipients;
	}

	public void setRecipients(List<String> recipients) {
		this.recipients = recipients;
	}

	public List<String> getIdentities() {
		return this.identities;
	}

	public void setIdentities(List<String> identities) {
		this.identities = identities;
	}

	public List<String> getIdentityFiles() {
		return this.identityFiles;
	}

	public void setIdentityFiles(List<String> identityFiles) {
		this.identityFiles = identityFiles;
	}

	boolean isConfigured() {
		return !this.recipients.isEmpty() || !this.identities.isEmpty() || !this.identityFiles.isEmpty();
	}

	@Override
	public String toString() {
		return "AgeProperties[recipients=" + this.recipients + ", identities="
				+ (this.identities.isEmpty() ? "[]" : Secrets.redact("") + " (" + this.identities.size() + ")")
				+ ", identityFiles=" + this.identityFiles + "]";
	}

}
