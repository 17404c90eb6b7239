import { type EntityManager, IsNull } from "typeorm";
import { MembershipEntity, RoleEntity } from "../../entities";
import { InvitationEntity } from "../../entities/invitation.entity";

export class RoleRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(RoleEntity);
  }

  /** A built-in role, or a custom role of this workspace, by name regardless of case. */
  async findByName(workspaceId: string, nameKey: string): Promise<RoleEntity | null> {
    return this.repo.findOne({
      where: [
        { workspaceId: IsNull(), nameKey },
        { workspaceId, nameKey },
      ],
    });
  }

  async findById(id: number): Promise<RoleEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async findBuiltIn(nameKey: string): Promise<RoleEntity> {
    return this.repo.findOneByOrFail({ workspaceId: IsNull(), nameKey });
  }

  /** Built-in roles first, then this workspace's custom roles by name. */
  async list(workspaceId: string): Promise<RoleEntity[]> {
    const roles = await this.repo.find({
      where: [{ workspaceId: IsNull() }, { workspaceId }],
      order: { id: "ASC" },
    });
    return roles.sort(
      (a, b) =>
        Number(b.builtIn) - Number(a.builtIn) ||
        (a.builtIn ? a.id - b.id : a.nameKey.localeCompare(b.nameKey)),
    );
  }

  async insert(role: Omit<RoleEntity, "id">): Promise<RoleEntity> {
    const result = await this.repo.insert(role);
    return { ...role, id: Number(result.identifiers[0].id) };
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  /** How many memberships and pending invitations hold the role (it can't be deleted while any do). */
  async usage(id: number): Promise<{ members: number; invitations: number }> {
    const members = await this.manager.getRepository(MembershipEntity).countBy({ roleId: id });
    const invitations = await this.manager
      .getRepository(InvitationEntity)
      .countBy({ roleId: id, status: "pending" });
    return { members, invitations };
  }
}
