/**
 * Terraform addresses that scripts/infra/destroy.sh removes from the state
 * instead of destroying: the data bucket (customer data, and its KMS key,
 * without which the data is unreadable) and the audit bucket (Object Lock in
 * compliance mode: its records cannot be deleted before retention ends
 * anyway).
 *
 * The policy of a bucket the stack created is destroyed: it only grants
 * access to the distribution and role being deleted. The policy the stack
 * wrote on an existing bucket (`dataBucket.existing`,
 * `aws_s3_bucket_policy.data_bucket_policy`) is kept: the stack never deletes
 * anything of a bucket it did not create. What it leaves names only deleted
 * principals plus the TLS deny; the customer restores their own policy.
 */
export const RETAIN_ON_DESTROY = {
  include: /^aws_[a-z0-9_]+\.(data_bucket|audit_store)_[a-z0-9_]+$/,
  exclude: /^aws_s3_bucket_policy\.data_bucket_store_/,
};

export function retainedOnDestroy(address: string): boolean {
  return RETAIN_ON_DESTROY.include.test(address) && !RETAIN_ON_DESTROY.exclude.test(address);
}
